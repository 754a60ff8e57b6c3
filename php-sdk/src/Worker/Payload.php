<?php

declare(strict_types=1);

namespace RR\Worker;

/**
 * A unit of work or its result: the context (`header`) and the `body`, both binary
 * (Spiral\RoadRunner\Payload).
 *
 * `eos` (end of stream) is false for a streamed response chunk that more chunks follow.
 */
class Payload
{
    public readonly string $body;

    public readonly string $header;

    public function __construct(?string $body, ?string $header = null, public readonly bool $eos = true)
    {
        $this->body = $body ?? '';
        $this->header = $header ?? '';
    }
}
