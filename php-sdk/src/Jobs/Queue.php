<?php

declare(strict_types=1);

namespace RR\Jobs;

use RR\Goridge\RPC\RPCInterface;
use RR\Jobs\Exception\JobsException;
use RR\Jobs\Internal\Protocol;
use RR\Jobs\Internal\Rpc;
use RR\Jobs\Internal\Uuid;
use RR\Jobs\Task\PreparedTask;
use RR\Jobs\Task\PreparedTaskInterface;
use RR\Jobs\Task\ProvidesHeadersInterface;
use RR\Jobs\Task\QueuedTask;
use RR\Jobs\Task\QueuedTaskInterface;
use RR\Jobs\Task\TaskInterface;

/**
 * One pipeline of rr's jobs plugin (Spiral\RoadRunner\Jobs\Queue).
 *
 * ```php
 * $queue = $jobs->connect('emails');
 * $task = $queue->dispatch($queue->create(SendMail::class, '{"to":"ann@example.com"}'));
 * $task->getId();   // the UUIDv4 the job was pushed with
 * ```
 *
 * A pushed `jobs.v1.Job` carries the task's name, a new UUIDv4 id, the payload, the headers that
 * have values, and options: priority, delay and auto_ack (plus topic, metadata, offset and
 * partition with Kafka options), pipeline = this queue's name.
 */
final class Queue implements QueueInterface
{
    private readonly Rpc $rpc;

    private OptionsInterface $options;

    /**
     * @throws \InvalidArgumentException on an empty name
     */
    public function __construct(public readonly string $name, RPCInterface $rpc, ?OptionsInterface $options = null)
    {
        if ($name === '') {
            throw new \InvalidArgumentException('Queue name must not be empty');
        }
        $this->rpc = new Rpc($rpc);
        $this->options = $options ?? new Options();
    }

    public function __clone()
    {
        $this->options = clone $this->options;
    }

    public function getName(): string
    {
        return $this->name;
    }

    public function getDefaultOptions(): OptionsInterface
    {
        return $this->options;
    }

    public function withDefaultOptions(?OptionsInterface $options = null): self
    {
        $self = clone $this;
        $self->options = $options ?? new Options();

        return $self;
    }

    public function create(string $name, string|\Stringable $payload = '', ?OptionsInterface $options = null): PreparedTaskInterface
    {
        // Only options that can merge (Options and subclasses) combine with the task's, as in the official client.
        if (\method_exists($this->options, 'mergeOptional')) {
            $merged = $this->options->mergeOptional($options);
            if ($merged instanceof OptionsInterface) {
                $options = $merged;
            }
        }

        return new PreparedTask($name, $payload, $options, $options instanceof ProvidesHeadersInterface ? $options->getHeaders() : []);
    }

    /**
     * Creates and pushes a task in one go (kept from the official client for RoadRunner 1.x code).
     *
     * @throws JobsException
     */
    public function push(string $name, string|\Stringable $payload = '', ?OptionsInterface $options = null): QueuedTaskInterface
    {
        return $this->dispatch($this->create($name, $payload, $options));
    }

    public function dispatch(PreparedTaskInterface $task): QueuedTaskInterface
    {
        $id = Uuid::v4();
        $this->rpc->call('jobs.Push', fn (): string => Protocol::pushRequest($this->encode($task, $id)));

        return $this->queued($task, $id);
    }

    /**
     * @return list<QueuedTaskInterface>
     */
    public function dispatchMany(PreparedTaskInterface ...$tasks): array
    {
        $ids = \array_map(static fn (): string => Uuid::v4(), $tasks);
        $this->rpc->call('jobs.PushBatch', fn (): string => Protocol::pushBatchRequest(\array_map($this->encode(...), \array_values($tasks), $ids)));

        return \array_map($this->queued(...), \array_values($tasks), $ids);
    }

    public function pause(): void
    {
        $this->rpc->call('jobs.Pause', fn (): string => Protocol::pipelines([$this->name]));
    }

    public function resume(): void
    {
        $this->rpc->call('jobs.Resume', fn (): string => Protocol::pipelines([$this->name]));
    }

    public function isPaused(): bool
    {
        $stat = $this->getPipelineStat();

        return $stat !== null && !$stat->getReady();
    }

    /**
     * This pipeline's entry of `jobs.Stat`, null when rr does not list it.
     *
     * @throws JobsException
     */
    public function getPipelineStat(): ?Stat
    {
        foreach (Protocol::decodeStats($this->rpc->call('jobs.Stat', static fn (): string => '')) as $stat) {
            if ($stat->getPipeline() === $this->name) {
                return $stat;
            }
        }

        return null;
    }

    private function encode(TaskInterface&OptionsInterface $task, string $id): string
    {
        $options = $task instanceof OptionsAwareInterface ? $task->getOptions() : $task;
        $fields = \method_exists($options, 'toArray') ? $options->toArray() : [
            'priority' => $options->getPriority(),
            'delay' => $options->getDelay(),
            'auto_ack' => $options->getAutoAck(),
        ];
        if (!\is_array($fields)) {
            throw new \LogicException(\sprintf('%s::toArray() did not return an array', $options::class));
        }
        $fields['pipeline'] = $this->name;

        return Protocol::job($task->getName(), $id, $task->getPayload(), $task->getHeaders(), $fields);
    }

    private function queued(TaskInterface $task, string $id): QueuedTask
    {
        return new QueuedTask($id, $this->name, $task->getName(), $task->getPayload(), $task->getHeaders());
    }
}
