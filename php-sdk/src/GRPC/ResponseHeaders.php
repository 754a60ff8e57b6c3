<?php

declare(strict_types=1);

namespace RR\GRPC;

/**
 * Response headers of the current call (Spiral\RoadRunner\GRPC\ResponseHeaders), found in the
 * context: `$ctx->getValue(ResponseHeaders::class)->set('x-id', '42')`.
 */
final class ResponseHeaders extends Metadata
{
    public function packHeaders(): string
    {
        return $this->pack();
    }
}
