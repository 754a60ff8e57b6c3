<?php

namespace Psr\SimpleCache;

/**
 * Test fixture: the method signatures of psr/simple-cache 2.0 (typed parameters, no return types).
 */
interface CacheInterface
{
    public function get(string $key, mixed $default = null);

    public function set(string $key, mixed $value, null|int|\DateInterval $ttl = null);

    public function delete(string $key);

    public function clear();

    public function getMultiple(iterable $keys, mixed $default = null);

    public function setMultiple(iterable $values, null|int|\DateInterval $ttl = null);

    public function deleteMultiple(iterable $keys);

    public function has(string $key);
}
