<?php

declare(strict_types=1);

namespace RR\GRPC;

/**
 * A `google.protobuf.Any` without google/protobuf: a type URL and the packed message's bytes. Use it
 * for {@see Exception\GRPCException} details; google's own `Any` objects and generated messages are
 * accepted there too.
 */
final class Any
{
    public function __construct(public readonly string $typeUrl, public readonly string $value)
    {
    }

    /**
     * Packs a message object (anything with serializeToString()) under `type.googleapis.com/$fullName`.
     */
    public static function pack(object $message, string $fullName): self
    {
        if (!\method_exists($message, 'serializeToString')) {
            throw new \InvalidArgumentException(\sprintf('%s has no serializeToString()', $message::class));
        }

        return new self('type.googleapis.com/' . $fullName, (string) $message->serializeToString());
    }

    public function getTypeUrl(): string
    {
        return $this->typeUrl;
    }

    public function getValue(): string
    {
        return $this->value;
    }
}
