<?php

declare(strict_types=1);

namespace RR\Jobs\Queue;

/**
 * A pipeline with a driver's defaults (Spiral\RoadRunner\Jobs\Queue\CreateInfo). The driver
 * classes below add their options; {@see GenericCreateInfo} takes any driver and options.
 */
class CreateInfo implements CreateInfoInterface
{
    /** The pipeline priority rr uses for tasks pushed without one. */
    public const PRIORITY_DEFAULT_VALUE = 10;

    /**
     * @throws \InvalidArgumentException on an empty name or a priority below 1
     */
    public function __construct(
        public readonly Driver $driver,
        public readonly string $name,
        public readonly int $priority = self::PRIORITY_DEFAULT_VALUE,
    ) {
        if ($name === '') {
            throw new \InvalidArgumentException('Pipeline name must not be empty');
        }
        self::atLeastOne('priority', $priority);
    }

    public function getName(): string
    {
        return $this->name;
    }

    public function getDriver(): Driver
    {
        return $this->driver;
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
        return [
            'name' => $this->name,
            'driver' => $this->driver->value,
            'priority' => $this->priority,
        ];
    }

    protected static function atLeastOne(string $option, int $value): void
    {
        if ($value < 1) {
            throw new \InvalidArgumentException(\sprintf('Option "%s" must be 1 or more, got %d', $option, $value));
        }
    }

    protected static function notEmpty(string $option, string $value): void
    {
        if ($value === '') {
            throw new \InvalidArgumentException(\sprintf('Option "%s" must not be empty', $option));
        }
    }
}
