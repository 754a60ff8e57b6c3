<?php

declare(strict_types=1);

namespace RR\Jobs\Queue;

/**
 * A pipeline of any driver with any options — for drivers without a class here (beanstalk, sqs,
 * kafka, …) or options the classes do not know. An rr addition.
 *
 * ```php
 * $jobs->create(new GenericCreateInfo('sqs', 'emails', ['queue' => 'emails', 'prefetch' => 10, 'priority' => 5]));
 * // jobs.Declare {name: emails, driver: sqs, queue: emails, prefetch: "10", priority: "5"}
 * ```
 *
 * The map is sent as given after `name` and `driver` (nothing is added: rr applies the driver's
 * defaults, priority 10 included); values are stringified like every CreateInfo's.
 */
final class GenericCreateInfo implements CreateInfoInterface
{
    /**
     * @param string               $driver  the driver's name as rr knows it
     * @param array<string, mixed> $options the driver's options
     *
     * @throws \InvalidArgumentException on an empty name or driver, or options naming `name` or `driver`
     */
    public function __construct(
        public readonly string $driver,
        public readonly string $name,
        public readonly array $options = [],
    ) {
        if ($name === '') {
            throw new \InvalidArgumentException('Pipeline name must not be empty');
        }
        if ($driver === '') {
            throw new \InvalidArgumentException('Pipeline driver must not be empty');
        }
        foreach (['name', 'driver'] as $key) {
            if (\array_key_exists($key, $options)) {
                throw new \InvalidArgumentException(\sprintf('Pass the pipeline %s as its own argument, not as option "%1$s"', $key));
            }
        }
    }

    public function getName(): string
    {
        return $this->name;
    }

    /** The driver, {@see Driver::Unknown} for one not listed there ({@see $driver} has its name). */
    public function getDriver(): Driver
    {
        return Driver::tryFrom($this->driver) ?? Driver::Unknown;
    }

    /**
     * @return array<string, mixed>
     */
    public function jsonSerialize(): array
    {
        return $this->toArray();
    }

    /**
     * @return array<string, mixed>
     */
    public function toArray(): array
    {
        // `+` keeps numeric-string option names, which spreading would renumber.
        return ['name' => $this->name, 'driver' => $this->driver] + $this->options;
    }
}
