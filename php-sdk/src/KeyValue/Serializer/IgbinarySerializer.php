<?php

declare(strict_types=1);

namespace RR\KeyValue\Serializer;

use RR\KeyValue\Exception\SerializationException;
use RR\KeyValue\Internal\ErrorGuard;

/**
 * igbinary's compact binary format (Spiral\RoadRunner\KeyValue\Serializer\IgbinarySerializer); needs
 * ext-igbinary. Values written with it cannot be read by the default serializer and vice versa.
 */
final class IgbinarySerializer implements SerializerInterface
{
    /**
     * @throws SerializationException when ext-igbinary is not loaded
     */
    public function __construct()
    {
        if (!\function_exists('igbinary_serialize')) {
            throw new SerializationException('The IgbinarySerializer needs the igbinary extension (ext-igbinary)');
        }
    }

    public function serialize(mixed $value): string
    {
        return ErrorGuard::run('Unable to serialize the value', static function () use ($value): string {
            $bytes = \igbinary_serialize($value);
            if (!\is_string($bytes)) {
                throw new SerializationException('igbinary_serialize() failed');
            }

            return $bytes;
        });
    }

    public function unserialize(string $value): mixed
    {
        // igbinary_unserialize('') answers null without a warning; igbinary never writes ''.
        if ($value === '') {
            throw new SerializationException('Unable to unserialize the value: empty input');
        }

        return ErrorGuard::run('Unable to unserialize the value', static fn (): mixed => \igbinary_unserialize($value));
    }
}
