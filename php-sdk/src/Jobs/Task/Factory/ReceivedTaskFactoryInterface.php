<?php

declare(strict_types=1);

namespace RR\Jobs\Task\Factory;

use RR\Jobs\Exception\ReceivedTaskException;
use RR\Jobs\Exception\SerializationException;
use RR\Jobs\Task\ReceivedTaskInterface;
use RR\Worker\Payload;

/**
 * (Spiral\RoadRunner\Jobs\Task\Factory\ReceivedTaskFactoryInterface)
 */
interface ReceivedTaskFactoryInterface
{
    /**
     * @throws SerializationException when the context is not JSON
     * @throws ReceivedTaskException  when it is not a job's context
     */
    public function create(Payload $payload): ReceivedTaskInterface;
}
