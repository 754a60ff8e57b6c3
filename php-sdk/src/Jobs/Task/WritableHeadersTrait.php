<?php

declare(strict_types=1);

namespace RR\Jobs\Task;

/**
 * @see WritableHeadersInterface
 */
trait WritableHeadersTrait
{
    use HeadersTrait;

    /**
     * @param string|\Stringable|iterable<string|\Stringable|int|float> $value
     */
    public function withHeader(string $name, string|\Stringable|iterable $value): static
    {
        $values = self::headerValues($name, $value);

        $self = clone $this;
        $self->headers[$name] = $values;

        return $self;
    }

    /**
     * @param string|\Stringable|iterable<string|\Stringable|int|float> $value
     */
    public function withAddedHeader(string $name, string|\Stringable|iterable $value): static
    {
        return $this->withHeader($name, [...$this->getHeader($name), ...self::headerValues($name, $value)]);
    }

    public function withoutHeader(string $name): static
    {
        self::headerName($name);
        if (!\array_key_exists($name, $this->headers)) {
            return $this;
        }

        $self = clone $this;
        unset($self->headers[$name]);

        return $self;
    }

    /**
     * Header values travel as protobuf strings and JSON strings, so they are made strings here
     * instead of failing (or being turned into something else) on the wire.
     *
     * @param string|\Stringable|iterable<mixed> $value
     *
     * @return list<string>
     */
    private static function headerValues(string $name, string|\Stringable|iterable $value): array
    {
        self::headerName($name);

        $values = [];
        foreach (\is_iterable($value) ? $value : [$value] as $item) {
            if (!\is_scalar($item) && !$item instanceof \Stringable) {
                throw new \InvalidArgumentException(\sprintf('Header "%s" values must be strings, got %s', $name, \get_debug_type($item)));
            }
            $values[] = (string) $item;
        }

        return $values;
    }

    private static function headerName(string $name): void
    {
        if ($name === '') {
            throw new \InvalidArgumentException('Header name must not be empty');
        }
    }
}
