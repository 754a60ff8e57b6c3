<?php

declare(strict_types=1);

namespace RR\Jobs\Task;

/**
 * A task that is in a pipeline (Spiral\RoadRunner\Jobs\Task\QueuedTaskInterface).
 */
interface QueuedTaskInterface extends TaskInterface
{
    /** The job id: the UUIDv4 the client generated when pushing it. */
    public function getId(): string;

    /** The pipeline's name. */
    public function getPipeline(): string;
}
