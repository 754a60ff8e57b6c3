<?php

declare(strict_types=1);

namespace RR\Jobs\Task;

/**
 * The `type` of a task's response body `{"type": N, "data": …}` (PROTOCOL.md §6.2;
 * Spiral\RoadRunner\Jobs\Task\Type).
 */
interface Type
{
    /** @deprecated RoadRunner ≥ 2024.1.5 has {@see Type::ACK}; rr acknowledges both. */
    public const SUCCESS = 0;

    /** @deprecated RoadRunner ≥ 2024.1.5 has {@see Type::NACK} and {@see Type::REQUEUE}. */
    public const ERROR = 1;

    public const ACK = 2;

    public const NACK = 3;

    public const REQUEUE = 4;
}
