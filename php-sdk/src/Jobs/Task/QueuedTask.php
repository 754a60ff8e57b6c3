<?php

declare(strict_types=1);

namespace RR\Jobs\Task;

/**
 * A task pushed to a pipeline, as dispatch() returns it (Spiral\RoadRunner\Jobs\Task\QueuedTask).
 */
class QueuedTask extends Task implements QueuedTaskInterface
{
    /**
     * @param array<string, list<string>> $headers
     */
    public function __construct(
        protected readonly string $id,
        protected readonly string $pipeline,
        string $name,
        string $payload,
        array $headers = [],
    ) {
        parent::__construct($name, $payload, $headers);
    }

    public function getId(): string
    {
        return $this->id;
    }

    public function getPipeline(): string
    {
        return $this->pipeline;
    }
}
