<?php

declare(strict_types=1);

namespace RR\KeyValue\Serializer;

/**
 * {@see SerializerAwareInterface} for immutable classes: withSerializer() clones.
 */
trait SerializerAwareTrait
{
    private SerializerInterface $serializer;

    public function withSerializer(SerializerInterface $serializer): self
    {
        $self = clone $this;
        $self->setSerializer($serializer);

        return $self;
    }

    public function getSerializer(): SerializerInterface
    {
        return $this->serializer;
    }

    protected function setSerializer(SerializerInterface $serializer): void
    {
        $this->serializer = $serializer;
    }
}
