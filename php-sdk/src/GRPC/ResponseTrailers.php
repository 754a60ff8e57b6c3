<?php

declare(strict_types=1);

namespace RR\GRPC;

/**
 * Response trailers of the current call (Spiral\RoadRunner\GRPC\ResponseTrailers), found in the
 * context: `$ctx->getValue(ResponseTrailers::class)->set('x-cost', '3')`.
 */
final class ResponseTrailers extends Metadata
{
    public function packTrailers(): string
    {
        return $this->pack();
    }
}
