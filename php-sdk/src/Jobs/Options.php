<?php

declare(strict_types=1);

namespace RR\Jobs;

use RR\Jobs\Task\ProvidesHeadersInterface;
use RR\Jobs\Task\WritableHeadersInterface;
use RR\Jobs\Task\WritableHeadersTrait;

/**
 * Push options (Spiral\RoadRunner\Jobs\Options): delay, priority, auto-ack, and headers that every
 * task created with these options starts with. The `with…()` methods return copies.
 *
 * ```php
 * $queue->create('mail', $payload, (new Options())->withDelay(60)->withPriority(1));
 * ```
 *
 * The properties are public (and writable) as in the official class.
 */
class Options implements OptionsInterface, WritableHeadersInterface, \JsonSerializable
{
    use WritableHeadersTrait;

    /**
     * @throws \InvalidArgumentException on a negative delay or priority
     */
    public function __construct(
        public int $delay = self::DEFAULT_DELAY,
        public int $priority = self::DEFAULT_PRIORITY,
        public bool $autoAck = self::DEFAULT_AUTO_ACK,
    ) {
        self::notNegative('delay', $delay);
        self::notNegative('priority', $priority);
    }

    public static function from(OptionsInterface $options): self
    {
        return new self($options->getDelay(), $options->getPriority(), $options->getAutoAck());
    }

    public function getDelay(): int
    {
        return $this->delay;
    }

    public function getPriority(): int
    {
        return $this->priority;
    }

    public function getAutoAck(): bool
    {
        return $this->autoAck;
    }

    /**
     * @throws \InvalidArgumentException on a negative delay
     */
    public function withDelay(int $delay): static
    {
        self::notNegative('delay', $delay);
        $self = clone $this;
        $self->delay = $delay;

        return $self;
    }

    /**
     * @throws \InvalidArgumentException on a negative priority
     */
    public function withPriority(int $priority): static
    {
        self::notNegative('priority', $priority);
        $self = clone $this;
        $self->priority = $priority;

        return $self;
    }

    public function withAutoAck(bool $autoAck): static
    {
        $self = clone $this;
        $self->autoAck = $autoAck;

        return $self;
    }

    /**
     * These options overridden by the given ones; null gives these options.
     */
    public function mergeOptional(?OptionsInterface $options): OptionsInterface
    {
        return $options === null ? $this : $this->merge($options);
    }

    /**
     * A copy taking every value of `$options` that is not the default (and its headers when it has
     * any), as the official client merges a queue's default options with a task's.
     */
    public function merge(OptionsInterface $options): OptionsInterface
    {
        $self = clone $this;

        if ($options->getDelay() !== self::DEFAULT_DELAY) {
            $self->delay = $options->getDelay();
        }
        if ($options->getPriority() !== self::DEFAULT_PRIORITY) {
            $self->priority = $options->getPriority();
        }
        if ($options->getAutoAck() !== self::DEFAULT_AUTO_ACK) {
            $self->autoAck = $options->getAutoAck();
        }
        if ($options instanceof ProvidesHeadersInterface && $options->getHeaders() !== []) {
            $self->headers = $options->getHeaders();
        }

        return $self;
    }

    /**
     * @return array<string, mixed>
     */
    public function jsonSerialize(): array
    {
        return $this->toArray();
    }

    /**
     * The `jobs.v1.Options` fields, without the pipeline (which the queue adds).
     *
     * @return array<string, mixed>
     */
    public function toArray(): array
    {
        return [
            'priority' => $this->getPriority(),
            'delay' => $this->getDelay(),
            'auto_ack' => $this->getAutoAck(),
        ];
    }

    protected static function notNegative(string $name, int $value): void
    {
        if ($value < 0) {
            throw new \InvalidArgumentException(\sprintf('Option "%s" must be 0 or more, got %d', $name, $value));
        }
    }
}
