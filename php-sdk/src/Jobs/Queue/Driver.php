<?php

declare(strict_types=1);

namespace RR\Jobs\Queue;

/**
 * The `driver` of a pipeline (Spiral\RoadRunner\Jobs\Queue\Driver). A received task whose driver is
 * not listed here reports {@see Driver::Unknown}.
 */
enum Driver: string
{
    case Memory = 'memory';
    case AMQP = 'amqp';
    case Beanstalk = 'beanstalk';
    case BoltDB = 'boltdb';
    case SQS = 'sqs';
    case Redis = 'redis';
    case NATS = 'nats';
    case Kafka = 'kafka';
    case NSQ = 'nsq';
    case Unknown = 'unknown';
}
