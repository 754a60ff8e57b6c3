<?php

declare(strict_types=1);

namespace RR\KeyValue;

/**
 * Hands out storages by name (Spiral\RoadRunner\KeyValue\FactoryInterface).
 */
interface FactoryInterface
{
    /**
     * The storage `kv.<name>`. Nothing is sent to rr: an undeclared storage shows up as a
     * {@see Exception\StorageException} on its first use.
     */
    public function select(string $name): StorageInterface;
}
