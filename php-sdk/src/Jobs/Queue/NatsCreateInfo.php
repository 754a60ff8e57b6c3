<?php

declare(strict_types=1);

namespace RR\Jobs\Queue;

/**
 * A NATS JetStream pipeline (Spiral\RoadRunner\Jobs\Queue\NatsCreateInfo).
 */
final class NatsCreateInfo extends CreateInfo
{
    public const PREFETCH_DEFAULT_VALUE = 100;
    public const DELIVER_NEW_DEFAULT_VALUE = true;
    public const RATE_LIMIT_DEFAULT_VALUE = 100;
    public const DELETE_STREAM_ON_STOP_DEFAULT_VALUE = false;
    public const DELETE_AFTER_ACK_DEFAULT_VALUE = false;
    public const PRIORITY_DEFAULT_VALUE = 2;

    /**
     * @throws \InvalidArgumentException on an empty name, subject or stream, a priority, prefetch or rate limit below 1
     */
    public function __construct(
        string $name,
        public readonly string $subject,
        public readonly string $stream,
        int $priority = self::PRIORITY_DEFAULT_VALUE,
        public readonly int $prefetch = self::PREFETCH_DEFAULT_VALUE,
        public readonly bool $deliverNew = self::DELIVER_NEW_DEFAULT_VALUE,
        public readonly int $rateLimit = self::RATE_LIMIT_DEFAULT_VALUE,
        public readonly bool $deleteStreamOnStop = self::DELETE_STREAM_ON_STOP_DEFAULT_VALUE,
        public readonly bool $deleteAfterAck = self::DELETE_AFTER_ACK_DEFAULT_VALUE,
    ) {
        parent::__construct(Driver::NATS, $name, $priority);
        self::atLeastOne('prefetch', $prefetch);
        self::atLeastOne('rate_limit', $rateLimit);
        self::notEmpty('subject', $subject);
        self::notEmpty('stream', $stream);
    }

    /**
     * @return array<string, mixed>
     */
    public function toArray(): array
    {
        return [
            ...parent::toArray(),
            'prefetch' => $this->prefetch,
            'subject' => $this->subject,
            'deliver_new' => $this->deliverNew,
            'rate_limit' => $this->rateLimit,
            'stream' => $this->stream,
            'delete_stream_on_stop' => $this->deleteStreamOnStop,
            'delete_after_ack' => $this->deleteAfterAck,
        ];
    }
}
