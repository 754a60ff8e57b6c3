<?php

declare(strict_types=1);

namespace RR\Jobs\Queue;

/**
 * An in-memory pipeline (Spiral\RoadRunner\Jobs\Queue\MemoryCreateInfo).
 */
final class MemoryCreateInfo extends CreateInfo
{
    public const PREFETCH_DEFAULT_VALUE = 10;

    /**
     * @throws \InvalidArgumentException on an empty name, a priority or prefetch below 1
     */
    public function __construct(
        string $name,
        int $priority = self::PRIORITY_DEFAULT_VALUE,
        public readonly int $prefetch = self::PREFETCH_DEFAULT_VALUE,
    ) {
        parent::__construct(Driver::Memory, $name, $priority);
        self::atLeastOne('prefetch', $prefetch);
    }

    /**
     * @return array<string, mixed>
     */
    public function toArray(): array
    {
        return [...parent::toArray(), 'prefetch' => $this->prefetch];
    }
}
