<?php

declare(strict_types=1);

namespace RR\Jobs;

use RR\Jobs\Exception\JobsException;
use RR\Jobs\Task\PreparedTaskInterface;
use RR\Jobs\Task\QueuedTaskInterface;

/**
 * One pipeline, for pushing tasks (Spiral\RoadRunner\Jobs\QueueInterface).
 */
interface QueueInterface
{
    public function getName(): string;

    /** The options every task created here starts from. */
    public function getDefaultOptions(): OptionsInterface;

    /**
     * A copy whose tasks start from these options (null: the defaults). Tasks created before keep theirs.
     */
    public function withDefaultOptions(?OptionsInterface $options): self;

    /**
     * A task for this queue, not sent yet: the default options merged with `$options` (its values
     * that are not the defaults win), and the merged options' headers.
     *
     * @throws \InvalidArgumentException on an empty name
     */
    public function create(string $name, string|\Stringable $payload = '', ?OptionsInterface $options = null): PreparedTaskInterface;

    /**
     * Pushes the task (`jobs.Push`) with a new UUIDv4 id.
     *
     * @throws JobsException
     */
    public function dispatch(PreparedTaskInterface $task): QueuedTaskInterface;

    /**
     * Pushes the tasks in one call (`jobs.PushBatch`).
     *
     * @return iterable<QueuedTaskInterface> in the order given
     *
     * @throws JobsException
     */
    public function dispatchMany(PreparedTaskInterface ...$tasks): iterable;

    /**
     * Stops consuming the pipeline (`jobs.Pause`); pushing still works.
     *
     * @throws JobsException
     */
    public function pause(): void;

    /**
     * @throws JobsException
     */
    public function resume(): void;

    /**
     * True when `jobs.Stat` lists the pipeline as not ready; false also when it is not listed.
     *
     * @throws JobsException
     */
    public function isPaused(): bool;
}
