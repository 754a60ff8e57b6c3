<?php

declare(strict_types=1);

namespace RR\Jobs;

use RR\Jobs\Task\ReceivedTaskInterface;

/**
 * (Spiral\RoadRunner\Jobs\ConsumerInterface)
 */
interface ConsumerInterface
{
    /**
     * Blocks until rr delivers the next job; null when rr asks the worker to stop.
     */
    public function waitTask(): ?ReceivedTaskInterface;
}
