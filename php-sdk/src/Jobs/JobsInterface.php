<?php

declare(strict_types=1);

namespace RR\Jobs;

use RR\Jobs\Exception\JobsException;
use RR\Jobs\Queue\CreateInfoInterface;

/**
 * rr's jobs plugin from the producer side (Spiral\RoadRunner\Jobs\JobsInterface): iterating gives
 * name => queue for every pipeline (`jobs.List`), count() their number.
 *
 * @extends \IteratorAggregate<string, QueueInterface>
 */
interface JobsInterface extends \IteratorAggregate, \Countable
{
    /**
     * The named pipeline, for pushing; nothing is sent.
     *
     * @throws \InvalidArgumentException on an empty name
     */
    public function connect(string $queue, ?OptionsInterface $options = null): QueueInterface;

    /**
     * Declares a pipeline (`jobs.Declare`) and returns it.
     *
     * @throws JobsException
     */
    public function create(CreateInfoInterface $info, ?OptionsInterface $options = null): QueueInterface;

    /**
     * @throws JobsException
     */
    public function pause(QueueInterface|string $queue, QueueInterface|string ...$queues): void;

    /**
     * @throws JobsException
     */
    public function resume(QueueInterface|string $queue, QueueInterface|string ...$queues): void;
}
