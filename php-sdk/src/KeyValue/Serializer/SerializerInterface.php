<?php

declare(strict_types=1);

namespace RR\KeyValue\Serializer;

use RR\KeyValue\Exception\SerializationException;

/**
 * Turns values into the bytes rr stores and back (Spiral\RoadRunner\KeyValue\Serializer\SerializerInterface).
 */
interface SerializerInterface
{
    /**
     * @throws SerializationException
     */
    public function serialize(mixed $value): string|\Stringable;

    /**
     * @throws SerializationException
     */
    public function unserialize(string $value): mixed;
}
