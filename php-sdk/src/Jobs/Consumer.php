<?php

declare(strict_types=1);

namespace RR\Jobs;

use RR\Goridge\Exception\GoridgeException;
use RR\Jobs\Exception\ReceivedTaskException;
use RR\Jobs\Exception\SerializationException;
use RR\Jobs\Task\Factory\ReceivedTaskFactory;
use RR\Jobs\Task\Factory\ReceivedTaskFactoryInterface;
use RR\Jobs\Task\ReceivedTaskInterface;
use RR\Worker\Exception\RoadRunnerException;
use RR\Worker\Worker;
use RR\Worker\WorkerInterface;

/**
 * The worker side of rr's jobs plugin (Spiral\RoadRunner\Jobs\Consumer): a worker started for the
 * `jobs` pool (RR_MODE=jobs) receives one job at a time and answers each before the next.
 *
 * ```php
 * $consumer = new Consumer();              // Worker::create(): relay from RR_RELAY
 * while ($task = $consumer->waitTask()) {  // null once rr stops the worker
 *     try {
 *         handle($task->getName(), $task->getPayload(), $task->getHeaders());
 *         $task->ack();
 *     } catch (\Throwable $e) {
 *         $task->withDelay(10)->requeue($e);
 *     }
 * }
 * ```
 *
 * A delivery whose context cannot be read throws from waitTask() without answering it; answer it
 * with `$worker->error(…)` (rr then nacks the job) before waiting again.
 */
final class Consumer implements ConsumerInterface
{
    private readonly WorkerInterface $worker;

    private readonly ReceivedTaskFactoryInterface $receivedTaskFactory;

    public function __construct(?WorkerInterface $worker = null, ?ReceivedTaskFactoryInterface $receivedTaskFactory = null)
    {
        $this->worker = $worker ?? Worker::create();
        $this->receivedTaskFactory = $receivedTaskFactory ?? new ReceivedTaskFactory($this->worker);
    }

    /**
     * @throws SerializationException when the delivery's context is not JSON
     * @throws ReceivedTaskException  when it is not a job's context
     * @throws RoadRunnerException    on a malformed frame
     * @throws GoridgeException       on relay failures
     */
    public function waitTask(): ?ReceivedTaskInterface
    {
        $payload = $this->worker->waitPayload();

        return $payload === null ? null : $this->receivedTaskFactory->create($payload);
    }
}
