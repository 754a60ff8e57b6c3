<?php

declare(strict_types=1);

namespace RR\Jobs\Task;

/**
 * (Spiral\RoadRunner\Jobs\Task\MutatesDelayInterface)
 */
interface MutatesDelayInterface
{
    /**
     * A copy that waits this many seconds: before its first delivery (a prepared task) or before
     * being delivered again (a received task that is requeued or nacked with redelivery).
     *
     * @throws \InvalidArgumentException on a negative number
     */
    public function withDelay(int $seconds): static;
}
