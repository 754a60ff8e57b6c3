<?php

declare(strict_types=1);

namespace RR\Jobs\Task;

use RR\Jobs\OptionsInterface;

/**
 * A task ready to be pushed with {@see \RR\Jobs\QueueInterface::dispatch()}
 * (Spiral\RoadRunner\Jobs\Task\PreparedTaskInterface).
 */
interface PreparedTaskInterface extends TaskInterface, OptionsInterface, WritableHeadersInterface, MutatesDelayInterface
{
}
