<?php

declare(strict_types=1);

namespace RR\Jobs\Queue\AMQP;

/**
 * How an AMQP exchange routes messages (Spiral\RoadRunner\Jobs\Queue\AMQP\ExchangeType); the value
 * is sent as `exchange_type` by {@see \RR\Jobs\Queue\AMQPCreateInfo}.
 *
 * `Topics` keeps the official client's value `topics`; RabbitMQ's own name for the type is `topic`.
 */
enum ExchangeType: string
{
    case Direct = 'direct';
    case Topics = 'topics';
    case Headers = 'headers';
    case Fanout = 'fanout';
}
