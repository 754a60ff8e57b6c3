<?php

declare(strict_types=1);

namespace RR\KeyValue;

use Psr\SimpleCache\CacheInterface;
use RR\KeyValue\Exception\KeyValueException;
use RR\KeyValue\Exception\NotImplementedException;
use RR\KeyValue\Serializer\SerializerAwareInterface;

/**
 * One rr kv storage as a PSR-16 cache (Spiral\RoadRunner\KeyValue\StorageInterface), plus the
 * expiration times rr can report.
 */
interface StorageInterface extends CacheInterface, SerializerAwareInterface
{
    /** The storage's name under `kv:` in rr's configuration. */
    public function getName(): string;

    /**
     * When `$key` expires; null when it has no expiration time or does not exist.
     *
     * @throws NotImplementedException when the storage's driver cannot tell (memcached)
     * @throws KeyValueException
     */
    public function getTtl(string $key): ?\DateTimeInterface;

    /**
     * The expiration time of each key, in the order given (null: none, or no such key).
     *
     * @param iterable<string> $keys
     *
     * @return iterable<string, \DateTimeInterface|null>
     *
     * @throws NotImplementedException when the storage's driver cannot tell (memcached)
     * @throws KeyValueException
     */
    public function getMultipleTtl(iterable $keys = []): iterable;
}
