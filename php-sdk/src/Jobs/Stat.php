<?php

declare(strict_types=1);

namespace RR\Jobs;

/**
 * One pipeline's state from `jobs.Stat` (`jobs.v1.Stat`; the official client returns the generated
 * RoadRunner\Jobs\DTO\V1\Stat, whose getters this class has).
 */
final class Stat implements \JsonSerializable
{
    public function __construct(
        public readonly string $pipeline,
        public readonly string $driver,
        public readonly string $queue,
        public readonly int $active,
        public readonly int $delayed,
        public readonly int $reserved,
        public readonly bool $ready,
        public readonly int $priority,
    ) {
    }

    public function getPipeline(): string
    {
        return $this->pipeline;
    }

    public function getDriver(): string
    {
        return $this->driver;
    }

    public function getQueue(): string
    {
        return $this->queue;
    }

    /** Jobs waiting in the pipeline. */
    public function getActive(): int
    {
        return $this->active;
    }

    /** Jobs waiting for their delay to pass. */
    public function getDelayed(): int
    {
        return $this->delayed;
    }

    /** Jobs handed to workers and not answered yet. */
    public function getReserved(): int
    {
        return $this->reserved;
    }

    /** False while the pipeline is paused (or not consuming). */
    public function getReady(): bool
    {
        return $this->ready;
    }

    public function getPriority(): int
    {
        return $this->priority;
    }

    /**
     * @return array{pipeline: string, driver: string, queue: string, active: int, delayed: int, reserved: int, ready: bool, priority: int}
     */
    public function jsonSerialize(): array
    {
        return [
            'pipeline' => $this->pipeline,
            'driver' => $this->driver,
            'queue' => $this->queue,
            'active' => $this->active,
            'delayed' => $this->delayed,
            'reserved' => $this->reserved,
            'ready' => $this->ready,
            'priority' => $this->priority,
        ];
    }
}
