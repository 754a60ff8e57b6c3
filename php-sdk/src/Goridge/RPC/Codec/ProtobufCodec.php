<?php

declare(strict_types=1);

namespace RR\Goridge\RPC\Codec;

use RR\Goridge\Exception\CodecException;
use RR\Goridge\Frame;
use RR\Goridge\RPC\CodecInterface;

/**
 * Protobuf arguments and replies (flag CODEC_PROTO, 0x80) without depending on google/protobuf.
 *
 * Messages are duck-typed: anything with `serializeToString(): string` can be sent and anything
 * with `mergeFromString(string)` can receive a reply, which is what google/protobuf generated
 * classes offer. Plain strings are taken as already serialised bytes.
 *
 * - `encode($message)`: `$message->serializeToString()`, or the string itself;
 * - `decode($bytes, SomeMessage::class)`: `new SomeMessage()` merged from the bytes;
 * - `decode($bytes, $messageObject)`: merges into that object and returns it;
 * - `decode($bytes)`: the raw bytes.
 */
final class ProtobufCodec implements CodecInterface
{
    public function getIndex(): int
    {
        return Frame::CODEC_PROTO;
    }

    public function encode(mixed $payload): string
    {
        if (\is_string($payload)) {
            return $payload;
        }

        if (\is_object($payload) && \method_exists($payload, 'serializeToString')) {
            $bytes = $payload->serializeToString();
            if (!\is_string($bytes)) {
                throw new CodecException(\sprintf('%s::serializeToString() did not return a string', $payload::class));
            }

            return $bytes;
        }

        throw new CodecException(\sprintf(
            'Protobuf codec sends serialised strings or messages with serializeToString(), got %s',
            \get_debug_type($payload),
        ));
    }

    public function decode(string $payload, mixed $options = null): mixed
    {
        if (\is_string($options)) {
            if (!\class_exists($options)) {
                throw new CodecException(\sprintf("Protobuf message class '%s' does not exist", $options));
            }
            $options = new $options();
        }

        if ($options === null) {
            return $payload;
        }

        if (!\is_object($options) || !\method_exists($options, 'mergeFromString')) {
            throw new CodecException(\sprintf(
                'Protobuf codec decodes into a message class name or an object with mergeFromString(), got %s',
                \get_debug_type($options),
            ));
        }

        try {
            $options->mergeFromString($payload);
        } catch (\Throwable $e) {
            throw new CodecException(\sprintf('Protobuf decode into %s: %s', $options::class, $e->getMessage()), 0, $e);
        }

        return $options;
    }
}
