<?php

declare(strict_types=1);

namespace RR\Goridge\RPC\Codec;

use RR\Goridge\Exception\CodecException;
use RR\Goridge\Frame;
use RR\Goridge\RPC\CodecInterface;

/**
 * Bytes in, bytes out (flag CODEC_RAW, 0x04). Only strings can be sent.
 */
final class RawCodec implements CodecInterface
{
    public function getIndex(): int
    {
        return Frame::CODEC_RAW;
    }

    public function encode(mixed $payload): string
    {
        if (!\is_string($payload)) {
            throw new CodecException(\sprintf('Only string payloads can be sent using %s, got %s', self::class, \get_debug_type($payload)));
        }

        return $payload;
    }

    public function decode(string $payload, mixed $options = null): string
    {
        return $payload;
    }
}
