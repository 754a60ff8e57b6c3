<?php

declare(strict_types=1);

namespace RR\KeyValue\Serializer;

/**
 * Something that serializes values with a replaceable serializer
 * (Spiral\RoadRunner\KeyValue\Serializer\SerializerAwareInterface).
 */
interface SerializerAwareInterface
{
    /**
     * A copy that uses `$serializer`; the original keeps its own.
     */
    public function withSerializer(SerializerInterface $serializer): self;

    public function getSerializer(): SerializerInterface;
}
