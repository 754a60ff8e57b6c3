<?php

declare(strict_types=1);

namespace RR\Jobs\Task;

/**
 * A job: its name and payload, plus headers (Spiral\RoadRunner\Jobs\Task\TaskInterface).
 */
interface TaskInterface extends ProvidesHeadersInterface
{
    /** The job name (`jobs.v1.Job.job`), usually the handler's class name. */
    public function getName(): string;

    /** The payload bytes, delivered to the consumer exactly as pushed. */
    public function getPayload(): string;
}
