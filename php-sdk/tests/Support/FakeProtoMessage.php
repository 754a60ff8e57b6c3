<?php

declare(strict_types=1);

namespace RR\Tests\Support;

/**
 * Stands in for a google/protobuf generated message: only the two methods the codec relies on.
 */
final class FakeProtoMessage
{
    public function __construct(public string $bytes = '')
    {
    }

    public function serializeToString(): string
    {
        return $this->bytes;
    }

    public function mergeFromString(string $data): void
    {
        $this->bytes .= $data;
    }
}
