<?php

declare(strict_types=1);

namespace RR\GRPC;

/**
 * An immutable {@see ContextInterface} (Spiral\RoadRunner\GRPC\Context).
 *
 * @implements \IteratorAggregate<string, mixed>
 * @implements \ArrayAccess<string, mixed>
 */
final class Context implements ContextInterface, \IteratorAggregate, \Countable, \ArrayAccess
{
    /**
     * @param array<string, mixed> $values
     */
    public function __construct(private array $values = [])
    {
    }

    public function withValue(string $key, mixed $value): ContextInterface
    {
        $copy = clone $this;
        $copy->values[$key] = $value;

        return $copy;
    }

    public function getValue(string $key, mixed $default = null): mixed
    {
        return \array_key_exists($key, $this->values) ? $this->values[$key] : $default;
    }

    public function getValues(): array
    {
        return $this->values;
    }

    public function getIterator(): \Traversable
    {
        return new \ArrayIterator($this->values);
    }

    public function count(): int
    {
        return \count($this->values);
    }

    public function offsetExists(mixed $offset): bool
    {
        return \array_key_exists((string) $offset, $this->values);
    }

    public function offsetGet(mixed $offset): mixed
    {
        return $this->values[(string) $offset] ?? null;
    }

    public function offsetSet(mixed $offset, mixed $value): void
    {
        throw new \LogicException('the gRPC context is immutable: use withValue()');
    }

    public function offsetUnset(mixed $offset): void
    {
        throw new \LogicException('the gRPC context is immutable');
    }
}
