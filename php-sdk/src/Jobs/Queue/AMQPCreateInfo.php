<?php

declare(strict_types=1);

namespace RR\Jobs\Queue;

use RR\Jobs\Queue\AMQP\ExchangeType;

/**
 * An AMQP (RabbitMQ) pipeline (Spiral\RoadRunner\Jobs\Queue\AMQPCreateInfo).
 */
final class AMQPCreateInfo extends CreateInfo
{
    public const PREFETCH_DEFAULT_VALUE = 100;
    public const QUEUE_DEFAULT_VALUE = 'default';
    public const QUEUE_AUTO_DELETE_DEFAULT_VALUE = false;
    public const EXCHANGE_DEFAULT_VALUE = 'amqp.default';
    public const EXCHANGE_DURABLE_DEFAULT_VALUE = false;
    public const ROUTING_KEY_DEFAULT_VALUE = '';
    public const EXCLUSIVE_DEFAULT_VALUE = false;
    public const MULTIPLE_ACK_DEFAULT_VALUE = false;
    public const REQUEUE_ON_FAIL_DEFAULT_VALUE = false;
    public const DURABLE_DEFAULT_VALUE = false;
    public const QUEUE_HEADERS_DEFAULT_VALUE = [];
    public const DELETE_QUEUE_ON_STOP_DEFAULT_VALUE = false;
    public const REDIAL_TIMEOUT_DEFAULT_VALUE = 60;
    public const EXCHANGE_AUTO_DELETE_DEFAULT_VALUE = false;
    public const CONSUMER_ID_DEFAULT_VALUE = null;

    /**
     * @param string                $queue        the queue consumed (and bound to the exchange)
     * @param string                $routingKey   the key messages are published with
     * @param array<string, string> $queueHeaders sent as JSON under `queue_headers` when not empty
     * @param string|null           $consumerId   sent as `consumer_id` when given
     *
     * @throws \InvalidArgumentException on an empty name, exchange or consumer id, a priority, prefetch or redial timeout below 1
     */
    public function __construct(
        string $name,
        int $priority = self::PRIORITY_DEFAULT_VALUE,
        public readonly int $prefetch = self::PREFETCH_DEFAULT_VALUE,
        public readonly string $queue = self::QUEUE_DEFAULT_VALUE,
        public readonly string $exchange = self::EXCHANGE_DEFAULT_VALUE,
        public readonly ExchangeType $exchangeType = ExchangeType::Direct,
        public readonly string $routingKey = self::ROUTING_KEY_DEFAULT_VALUE,
        public readonly bool $exclusive = self::EXCLUSIVE_DEFAULT_VALUE,
        public readonly bool $multipleAck = self::MULTIPLE_ACK_DEFAULT_VALUE,
        public readonly bool $requeueOnFail = self::REQUEUE_ON_FAIL_DEFAULT_VALUE,
        public readonly bool $durable = self::DURABLE_DEFAULT_VALUE,
        public readonly bool $exchangeDurable = self::EXCHANGE_DURABLE_DEFAULT_VALUE,
        public readonly array $queueHeaders = self::QUEUE_HEADERS_DEFAULT_VALUE,
        public readonly bool $deleteQueueOnStop = self::DELETE_QUEUE_ON_STOP_DEFAULT_VALUE,
        public readonly int $redialTimeout = self::REDIAL_TIMEOUT_DEFAULT_VALUE,
        public readonly bool $exchangeAutoDelete = self::EXCHANGE_AUTO_DELETE_DEFAULT_VALUE,
        public readonly bool $queueAutoDelete = self::QUEUE_AUTO_DELETE_DEFAULT_VALUE,
        public readonly ?string $consumerId = self::CONSUMER_ID_DEFAULT_VALUE,
    ) {
        parent::__construct(Driver::AMQP, $name, $priority);
        self::atLeastOne('prefetch', $prefetch);
        self::atLeastOne('redial_timeout', $redialTimeout);
        self::notEmpty('exchange', $exchange);
        if ($consumerId !== null) {
            self::notEmpty('consumer_id', $consumerId);
        }
    }

    /**
     * @return array<string, mixed>
     */
    public function toArray(): array
    {
        $result = [
            ...parent::toArray(),
            'prefetch' => $this->prefetch,
            'queue' => $this->queue,
            'queue_auto_delete' => $this->queueAutoDelete,
            'exchange' => $this->exchange,
            'exchange_durable' => $this->exchangeDurable,
            'exchange_type' => $this->exchangeType->value,
            'exchange_auto_delete' => $this->exchangeAutoDelete,
            'routing_key' => $this->routingKey,
            'exclusive' => $this->exclusive,
            'multiple_ack' => $this->multipleAck,
            'requeue_on_fail' => $this->requeueOnFail,
            'durable' => $this->durable,
            'delete_queue_on_stop' => $this->deleteQueueOnStop,
            'redial_timeout' => $this->redialTimeout,
        ];

        if ($this->consumerId !== null) {
            $result['consumer_id'] = $this->consumerId;
        }
        if ($this->queueHeaders !== []) {
            $result['queue_headers'] = $this->queueHeaders;
        }

        return $result;
    }
}
