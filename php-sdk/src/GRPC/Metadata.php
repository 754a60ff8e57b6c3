<?php

declare(strict_types=1);

namespace RR\GRPC;

/**
 * Outgoing metadata, name → string value (lower-cased names; `-bin` values are raw bytes, sent
 * base64-encoded to rr). Base of {@see ResponseHeaders} and {@see ResponseTrailers}.
 *
 * @implements \IteratorAggregate<string, string>
 */
abstract class Metadata implements \IteratorAggregate, \Countable
{
    /** @var array<string, string> */
    private array $values = [];

    /**
     * @param iterable<string, string> $values
     */
    public function __construct(iterable $values = [])
    {
        foreach ($values as $key => $value) {
            $this->set($key, $value);
        }
    }

    public function set(string $key, string $value): void
    {
        $this->values[\strtolower($key)] = $value;
    }

    public function get(string $key, ?string $default = null): ?string
    {
        return $this->values[\strtolower($key)] ?? $default;
    }

    public function getIterator(): \Traversable
    {
        return new \ArrayIterator($this->values);
    }

    public function count(): int
    {
        return \count($this->values);
    }

    /** The JSON object rr expects as the `headers`/`trailers` string (PROTOCOL §7.2). */
    protected function pack(): string
    {
        $out = [];
        foreach ($this->values as $key => $value) {
            $out[$key] = \str_ends_with($key, '-bin') ? \base64_encode($value) : $value;
        }

        return \json_encode((object) $out, \JSON_THROW_ON_ERROR | \JSON_INVALID_UTF8_SUBSTITUTE | \JSON_UNESCAPED_SLASHES);
    }
}
