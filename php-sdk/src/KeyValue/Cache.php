<?php

declare(strict_types=1);

namespace RR\KeyValue;

use RR\Goridge\Exception\ServiceException;
use RR\Goridge\RPC\Codec\ProtobufCodec;
use RR\Goridge\RPC\RPCInterface;
use RR\KeyValue\Exception\InvalidArgumentException;
use RR\KeyValue\Exception\KeyValueException;
use RR\KeyValue\Exception\NotImplementedException;
use RR\KeyValue\Exception\SerializationException;
use RR\KeyValue\Exception\StorageException;
use RR\KeyValue\Internal\Item;
use RR\KeyValue\Internal\Protocol;
use RR\KeyValue\Serializer\DefaultSerializer;
use RR\KeyValue\Serializer\SerializerAwareTrait;
use RR\KeyValue\Serializer\SerializerInterface;

/**
 * A PSR-16 cache over rr's kv plugin (Spiral\RoadRunner\KeyValue\Cache): every operation is one
 * `kv.*` RPC call with a protobuf `kv.v1.Request` (PROTOCOL.md §5.5, §5.6), values pass through
 * the serializer.
 *
 * - `get`/`getMultiple` → `kv.MGet` (missing keys give the default), `has` → `kv.Has`;
 * - `set`/`setMultiple` → `kv.Set`, one call for all values; the ttl becomes an absolute RFC 3339
 *   deadline in whole seconds (`2026-11-23T17:00:00+00:00`): null → none, int → now + seconds,
 *   DateInterval → now + interval. A ttl of zero or less deletes the keys (`kv.Delete`), as PSR-16
 *   requires;
 * - `delete`/`deleteMultiple` → `kv.Delete`, `clear` → `kv.Clear`;
 * - `getTtl`/`getMultipleTtl` → `kv.TTL`, `expire`/`expireMultiple` → `kv.MExpire`.
 *
 * Keys must be non-blank UTF-8 strings (protobuf strings are UTF-8; rr refuses blank keys). PSR-16's
 * reserved characters `{}()/\@:` are accepted, as by the official client, since rr has no use for
 * them. Arguments are checked before anything is sent; calls with no keys send nothing. The
 * `*Multiple` reads run at once and return generators over the results.
 *
 * Parameters are untyped so that the class implements psr/simple-cache 1, 2 and 3 alike.
 */
class Cache implements StorageInterface
{
    use SerializerAwareTrait;

    private const ERROR_INVALID_STORAGE = 'Storage "%s" has not been defined. Please make sure your '
        . 'RoadRunner "kv" configuration contains a storage key named "%1$s"';

    private const ERROR_TTL_NOT_AVAILABLE = 'Storage "%s" does not support kv.TTL RPC method execution. Please '
        . 'use another driver for the storage if you require this functionality';

    private const ERROR_CLEAR_NOT_AVAILABLE = 'RoadRunner does not support kv.Clear RPC method. Please '
        . 'make sure you are using RoadRunner v2.3.1 or higher.';

    private const ERROR_INVALID_KEY = 'Cache key must be a string, but %s passed';

    private const ERROR_INVALID_KEYS = 'Cache keys must be an array<string>, but %s passed';

    private const ERROR_INVALID_VALUES = 'Cache values must be an array<string, mixed>, but %s passed';

    private const ERROR_INVALID_INTERVAL_ARGUMENT = 'Cache item ttl (expiration) must be of type int or \DateInterval, but %s passed';

    /** 9999-12-31T23:59:59+00:00: RFC 3339 has four-digit years, Go refuses anything later. */
    private const LATEST_DEADLINE = 253402300799;

    private readonly RPCInterface $rpc;

    public function __construct(
        RPCInterface $rpc,
        private readonly string $name,
        ?SerializerInterface $serializer = null,
    ) {
        $this->rpc = $rpc->withCodec(new ProtobufCodec());
        $this->setSerializer($serializer ?? new DefaultSerializer());
    }

    public function getName(): string
    {
        return $this->name;
    }

    /**
     * @param string $key
     *
     * @throws InvalidArgumentException
     * @throws SerializationException
     * @throws KeyValueException
     */
    public function get($key, $default = null): mixed
    {
        $key = self::key($key);
        $found = $this->index($this->call('kv.MGet', self::keyItems([$key])));

        return isset($found[$key]) ? $this->getSerializer()->unserialize($found[$key]->value) : $default;
    }

    /**
     * @param string                $key
     * @param null|int|\DateInterval $ttl
     *
     * @throws InvalidArgumentException
     * @throws SerializationException
     * @throws KeyValueException
     */
    public function set($key, $value, $ttl = null): bool
    {
        return $this->store([[self::key($key), $value]], $ttl);
    }

    /**
     * @param string $key
     *
     * @throws InvalidArgumentException
     * @throws KeyValueException
     */
    public function delete($key): bool
    {
        $this->call('kv.Delete', self::keyItems([self::key($key)]));

        return true;
    }

    /**
     * @throws KeyValueException
     */
    public function clear(): bool
    {
        $this->call('kv.Clear', []);

        return true;
    }

    /**
     * @param iterable<string> $keys
     *
     * @return \Generator<string, mixed> every key in the order given, the default for missing ones
     *
     * @throws InvalidArgumentException
     * @throws SerializationException
     * @throws KeyValueException
     */
    public function getMultiple($keys, $default = null): iterable
    {
        $keys = self::keys($keys);
        $found = $keys === [] ? [] : $this->index($this->call('kv.MGet', self::keyItems($keys)));

        $serializer = $this->getSerializer();
        $pairs = [];
        foreach ($keys as $key) {
            $pairs[] = [$key, isset($found[$key]) ? $serializer->unserialize($found[$key]->value) : $default];
        }

        return self::pairs($pairs);
    }

    /**
     * Integer array keys are taken as the numeric strings PHP turned into integers.
     *
     * @param iterable<string, mixed> $values
     * @param null|int|\DateInterval   $ttl
     *
     * @throws InvalidArgumentException
     * @throws SerializationException
     * @throws KeyValueException
     */
    public function setMultiple($values, $ttl = null): bool
    {
        if (!\is_iterable($values)) {
            throw new InvalidArgumentException(\sprintf(self::ERROR_INVALID_VALUES, \get_debug_type($values)));
        }

        $pairs = [];
        foreach ($values as $key => $value) {
            $pairs[] = [self::key(\is_int($key) ? (string) $key : $key), $value];
        }

        return $this->store($pairs, $ttl);
    }

    /**
     * @param iterable<string> $keys
     *
     * @throws InvalidArgumentException
     * @throws KeyValueException
     */
    public function deleteMultiple($keys): bool
    {
        $keys = self::keys($keys);
        if ($keys !== []) {
            $this->call('kv.Delete', self::keyItems($keys));
        }

        return true;
    }

    /**
     * @param string $key
     *
     * @throws InvalidArgumentException
     * @throws KeyValueException
     */
    public function has($key): bool
    {
        $key = self::key($key);
        foreach ($this->call('kv.Has', self::keyItems([$key])) as $item) {
            if ($item->key === $key) {
                return true;
            }
        }

        return false;
    }

    public function getTtl(string $key): ?\DateTimeInterface
    {
        $key = self::key($key);

        return $this->ttls([$key])[$key] ?? null;
    }

    public function getMultipleTtl(iterable $keys = []): iterable
    {
        $keys = self::keys($keys);
        $ttls = $keys === [] ? [] : $this->ttls($keys);

        $pairs = [];
        foreach ($keys as $key) {
            $pairs[] = [$key, $ttls[$key] ?? null];
        }

        return self::pairs($pairs);
    }

    /**
     * Gives an existing key a new expiration time (`kv.MExpire`); a missing key stays missing.
     * Not in the official client.
     *
     * @param int|\DateInterval $ttl zero or less deletes the key
     *
     * @throws InvalidArgumentException
     * @throws KeyValueException
     */
    public function expire(string $key, int|\DateInterval $ttl): bool
    {
        return $this->expireMultiple([$key], $ttl);
    }

    /**
     * {@see expire()} for several keys in one call.
     *
     * @param iterable<string>  $keys
     * @param int|\DateInterval $ttl  zero or less deletes the keys
     *
     * @throws InvalidArgumentException
     * @throws KeyValueException
     */
    public function expireMultiple(iterable $keys, int|\DateInterval $ttl): bool
    {
        $keys = self::keys($keys);
        $timeout = $this->timeout($ttl);
        if ($keys === []) {
            return true;
        }

        if ($timeout === null) {
            $this->call('kv.Delete', self::keyItems($keys));

            return true;
        }

        $items = [];
        foreach (\array_unique($keys) as $key) {
            $items[] = new Item($key, '', $timeout);
        }
        $this->call('kv.MExpire', $items);

        return true;
    }

    /**
     * The current time the ttl is added to (a seam for tests, as in the official client).
     */
    protected function now(): \DateTimeImmutable
    {
        return new \DateTimeImmutable('now', new \DateTimeZone('UTC'));
    }

    /**
     * rr's deadlines are written in UTC (`+00:00`), whatever zone now() answers in.
     */
    private function utcNow(): \DateTimeImmutable
    {
        return $this->now()->setTimezone(new \DateTimeZone('UTC'));
    }

    /**
     * @param list<array{string, mixed}> $pairs
     */
    private function store(array $pairs, mixed $ttl): bool
    {
        $timeout = $this->timeout($ttl);
        if ($pairs === []) {
            return true;
        }

        if ($timeout === null) {
            $this->call('kv.Delete', self::keyItems(\array_column($pairs, 0)));

            return true;
        }

        $serializer = $this->getSerializer();
        $items = [];
        foreach ($pairs as [$key, $value]) {
            $items[] = new Item($key, (string) $serializer->serialize($value), $timeout);
        }
        $this->call('kv.Set', $items);

        return true;
    }

    /**
     * The ttl as the wire's timeout: `''` for none, null when the items are already expired.
     *
     * @throws InvalidArgumentException
     */
    private function timeout(mixed $ttl): ?string
    {
        if ($ttl === null) {
            return '';
        }

        if (\is_int($ttl)) {
            if ($ttl <= 0) {
                return null;
            }
            $now = $this->utcNow();
            $deadline = $now->getTimestamp() + $ttl;
            if (!\is_int($deadline) || $deadline > self::LATEST_DEADLINE) {
                throw new InvalidArgumentException(\sprintf('Cache item ttl (expiration) of %d seconds ends after the year 9999', $ttl));
            }

            return $now->setTimestamp($deadline)->format(\DateTimeInterface::RFC3339);
        }

        if ($ttl instanceof \DateInterval) {
            $now = $this->utcNow();
            $deadline = $now->add($ttl);
            if ($deadline <= $now) {
                return null;
            }
            if ($deadline->getTimestamp() > self::LATEST_DEADLINE) {
                throw new InvalidArgumentException('Cache item ttl (expiration) ends after the year 9999');
            }

            return $deadline->format(\DateTimeInterface::RFC3339);
        }

        throw new InvalidArgumentException(\sprintf(self::ERROR_INVALID_INTERVAL_ARGUMENT, \get_debug_type($ttl)));
    }

    /**
     * @param list<string> $keys
     *
     * @return array<string, \DateTimeImmutable|null>
     */
    private function ttls(array $keys): array
    {
        $ttls = [];
        foreach ($this->call('kv.TTL', self::keyItems($keys)) as $item) {
            $ttls[$item->key] = $item->timeout === '' ? null : $this->parseTimeout($item->timeout);
        }

        return $ttls;
    }

    /**
     * rr writes `Y-m-d\TH:i:sP`; Go's RFC 3339 (`Z`, fractions) is read as well.
     */
    private function parseTimeout(string $timeout): \DateTimeImmutable
    {
        $date = \DateTimeImmutable::createFromFormat('!' . \DateTimeInterface::RFC3339, $timeout);
        if ($date instanceof \DateTimeImmutable) {
            return $date;
        }

        if (\preg_match('/^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})$/', $timeout) === 1) {
            try {
                return new \DateTimeImmutable($timeout);
            } catch (\Exception) {
                // reported below
            }
        }

        throw new KeyValueException(\sprintf('Storage "%s" answered kv.TTL with the invalid timeout "%s"', $this->name, $timeout));
    }

    /**
     * Sends one request and decodes the `kv.v1.Response`.
     *
     * @param list<Item> $items
     *
     * @return list<Item>
     *
     * @throws KeyValueException
     */
    private function call(string $method, array $items): array
    {
        try {
            $reply = $this->rpc->call($method, Protocol::encodeRequest($this->name, $items));
        } catch (ServiceException $e) {
            throw $this->serviceError($method, $e);
        }

        if (!\is_string($reply)) {
            throw new KeyValueException(\sprintf('%s: the RPC client returned %s instead of the protobuf bytes', $method, \get_debug_type($reply)));
        }

        return Protocol::decodeResponse($reply);
    }

    /**
     * Recognises rr's errors by the texts the official client matches (PROTOCOL.md §5.4).
     */
    private function serviceError(string $method, ServiceException $e): KeyValueException
    {
        $message = \str_replace(["\t", "\n"], ' ', $e->getMessage());
        $code = (int) $e->getCode();

        if (\str_contains($message, 'no such storage')) {
            return new StorageException(\sprintf(self::ERROR_INVALID_STORAGE, $this->name), $code, $e);
        }
        if ($method === 'kv.TTL' && \str_contains($message, '_plugin_ttl')) {
            return new NotImplementedException(\sprintf(self::ERROR_TTL_NOT_AVAILABLE, $this->name), $code, $e);
        }
        if ($method === 'kv.Clear' && \str_contains($message, "can't find method kv.Clear")) {
            return new KeyValueException(self::ERROR_CLEAR_NOT_AVAILABLE, $code, $e);
        }

        return new KeyValueException($message, $code, $e);
    }

    /**
     * @param list<Item> $items
     *
     * @return array<string, Item>
     */
    private function index(array $items): array
    {
        $index = [];
        foreach ($items as $item) {
            $index[$item->key] = $item;
        }

        return $index;
    }

    /**
     * @throws InvalidArgumentException
     */
    private static function key(mixed $key): string
    {
        if (!\is_string($key)) {
            throw new InvalidArgumentException(\sprintf(self::ERROR_INVALID_KEY, \get_debug_type($key)));
        }
        if (\trim($key) === '') {
            throw new InvalidArgumentException('Cache key must not be empty or blank');
        }
        if (\preg_match('//u', $key) !== 1) {
            throw new InvalidArgumentException('Cache key must be valid UTF-8');
        }

        return $key;
    }

    /**
     * @return list<string>
     *
     * @throws InvalidArgumentException
     */
    private static function keys(mixed $keys): array
    {
        if (!\is_iterable($keys)) {
            throw new InvalidArgumentException(\sprintf(self::ERROR_INVALID_KEYS, \get_debug_type($keys)));
        }

        $list = [];
        foreach ($keys as $key) {
            $list[] = self::key($key);
        }

        return $list;
    }

    /**
     * One item per distinct key: the reply is looked up by key, so repeating one only costs bytes.
     *
     * @param list<string> $keys
     *
     * @return list<Item>
     */
    private static function keyItems(array $keys): array
    {
        $items = [];
        foreach (\array_unique($keys) as $key) {
            $items[] = new Item($key);
        }

        return $items;
    }

    /**
     * Keeps string keys strings (an array would turn `"1"` into `1`) and lists repeated keys twice.
     *
     * @param list<array{string, mixed}> $pairs
     *
     * @return \Generator<string, mixed>
     */
    private static function pairs(array $pairs): \Generator
    {
        foreach ($pairs as [$key, $value]) {
            yield $key => $value;
        }
    }
}
