<?php

declare(strict_types=1);

namespace RR\Jobs\Task;

use RR\Jobs\Exception\JobsException;
use RR\Jobs\Queue\Driver;

/**
 * A task delivered to this worker (Spiral\RoadRunner\Jobs\Task\ReceivedTaskInterface). Answer it
 * exactly once with ack(), nack(), requeue() (or the deprecated complete()/fail()) before waiting
 * for the next one: rr sends this worker nothing else until then. Further answers are ignored.
 *
 * withDelay() and the header methods return copies; the copies and the original are one delivery,
 * so answering through any of them answers all.
 */
interface ReceivedTaskInterface extends QueuedTaskInterface, WritableHeadersInterface, MutatesDelayInterface
{
    /** The broker's queue (amqp queue, kafka topic, …); `unknown` when the driver does not say. */
    public function getQueue(): string;

    public function getDriver(): Driver;

    /**
     * Type 2: the job is done.
     *
     * @throws JobsException when the response cannot be sent
     */
    public function ack(): void;

    /**
     * Type 3: the job failed. What happens next is the driver's call; with `$redelivery` the driver
     * delivers it again (after withDelay()'s seconds, where supported).
     *
     * @throws JobsException when the response cannot be sent
     */
    public function nack(string|\Stringable|\Throwable $message, bool $redelivery = false): void;

    /**
     * Type 4: push the job again, after withDelay()'s seconds, with the headers of this task
     * (changes made with withHeader() included).
     *
     * @throws JobsException when the response cannot be sent
     */
    public function requeue(string|\Stringable|\Throwable $message): void;

    /**
     * Type 0, acknowledged like ack() by every RoadRunner version.
     *
     * @deprecated use ack()
     *
     * @throws JobsException when the response cannot be sent
     */
    public function complete(): void;

    /**
     * Type 1: with `$requeue` the job is pushed again (delay and headers as requeue()); without, it
     * is acknowledged and the error only logged.
     *
     * @deprecated use nack() or requeue()
     *
     * @throws JobsException when the response cannot be sent
     */
    public function fail(string|\Stringable|\Throwable $error, bool $requeue = false): void;

    /** True once the task was answered (through it or a copy). */
    public function isCompleted(): bool;

    /** True when it was answered with ack() or complete(). */
    public function isSuccessful(): bool;

    /** True when it was answered with nack(), requeue() or fail(). */
    public function isFails(): bool;
}
