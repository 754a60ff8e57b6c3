<?php

declare(strict_types=1);

namespace RR\Jobs\Task;

use RR\Jobs\Queue\Driver;
use RR\Worker\WorkerInterface;

/**
 * A task delivered from a Kafka pipeline (Spiral\RoadRunner\Jobs\Task\KafkaReceivedTask):
 * getQueue() is the topic.
 */
final class KafkaReceivedTask extends ReceivedTask
{
    /**
     * @param array<string, list<string>> $headers
     */
    public function __construct(
        WorkerInterface $worker,
        string $id,
        string $pipeline,
        string $job,
        string $topic,
        private readonly int $partition,
        private readonly int $offset,
        string $payload = '',
        array $headers = [],
    ) {
        parent::__construct($worker, $id, Driver::Kafka, $pipeline, $job, $topic, $payload, $headers);
    }

    public function getPartition(): int
    {
        return $this->partition;
    }

    public function getOffset(): int
    {
        return $this->offset;
    }
}
