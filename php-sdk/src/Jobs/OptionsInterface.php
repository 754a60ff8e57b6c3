<?php

declare(strict_types=1);

namespace RR\Jobs;

/**
 * How a task is pushed (Spiral\RoadRunner\Jobs\OptionsInterface): `jobs.v1.Options` priority, delay
 * and auto_ack.
 */
interface OptionsInterface
{
    public const DEFAULT_DELAY = 0;
    public const DEFAULT_PRIORITY = 0;
    public const DEFAULT_AUTO_ACK = false;

    /** Seconds before the task may be delivered; 0 for at once. */
    public function getDelay(): int;

    /** Lower runs first; 0 lets rr use the pipeline's priority. */
    public function getPriority(): int;

    /** True to have the task acknowledged when it is taken from the broker, before the worker runs. */
    public function getAutoAck(): bool;
}
