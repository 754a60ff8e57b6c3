<?php

declare(strict_types=1);

namespace RR\Goridge\RPC\Codec;

use RR\Goridge\Exception\CodecException;
use RR\Goridge\Frame;
use RR\Goridge\RPC\CodecInterface;

/**
 * JSON arguments and replies (flag CODEC_JSON, 0x08). Decodes objects to associative arrays;
 * an int passed as `$options` adds json_decode flags (e.g. JSON_BIGINT_AS_STRING).
 */
final class JsonCodec implements CodecInterface
{
    public function getIndex(): int
    {
        return Frame::CODEC_JSON;
    }

    public function encode(mixed $payload): string
    {
        try {
            return \json_encode($payload, \JSON_THROW_ON_ERROR);
        } catch (\JsonException $e) {
            throw new CodecException(\sprintf('Json encode: %s', $e->getMessage()), (int) $e->getCode(), $e);
        }
    }

    public function decode(string $payload, mixed $options = null): mixed
    {
        $flags = \JSON_THROW_ON_ERROR;
        if (\is_int($options)) {
            $flags |= $options;
        }

        try {
            return \json_decode($payload, true, 512, $flags);
        } catch (\JsonException $e) {
            throw new CodecException(\sprintf('Json decode: %s', $e->getMessage()), (int) $e->getCode(), $e);
        }
    }
}
