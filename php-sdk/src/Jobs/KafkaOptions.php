<?php

declare(strict_types=1);

namespace RR\Jobs;

/**
 * Push options of a Kafka pipeline (Spiral\RoadRunner\Jobs\KafkaOptions).
 */
final class KafkaOptions extends Options implements KafkaOptionsInterface
{
    /**
     * @throws \InvalidArgumentException on an empty topic or a negative number
     */
    public function __construct(
        public string $topic,
        int $delay = self::DEFAULT_DELAY,
        int $priority = self::DEFAULT_PRIORITY,
        bool $autoAck = self::DEFAULT_AUTO_ACK,
        public string $metadata = self::DEFAULT_METADATA,
        public int $offset = self::DEFAULT_OFFSET,
        public int $partition = self::DEFAULT_PARTITION,
    ) {
        parent::__construct($delay, $priority, $autoAck);
        self::topicName($topic);
        self::notNegative('offset', $offset);
        self::notNegative('partition', $partition);
    }

    /**
     * Kafka options from any options; a topic, when they have none, of `default`.
     */
    public static function from(OptionsInterface $options): self
    {
        $self = new self('default', $options->getDelay(), $options->getPriority(), $options->getAutoAck());
        if ($options instanceof KafkaOptionsInterface) {
            $self = $self->withTopic($options->getTopic())
                ->withMetadata($options->getMetadata())
                ->withOffset($options->getOffset())
                ->withPartition($options->getPartition());
        }

        return $self;
    }

    public function getTopic(): string
    {
        return $this->topic;
    }

    public function getMetadata(): string
    {
        return $this->metadata;
    }

    public function getOffset(): int
    {
        return $this->offset;
    }

    public function getPartition(): int
    {
        return $this->partition;
    }

    public function withTopic(string $topic): self
    {
        self::topicName($topic);
        $self = clone $this;
        $self->topic = $topic;

        return $self;
    }

    public function withMetadata(string $metadata): self
    {
        $self = clone $this;
        $self->metadata = $metadata;

        return $self;
    }

    public function withOffset(int $offset): self
    {
        self::notNegative('offset', $offset);
        $self = clone $this;
        $self->offset = $offset;

        return $self;
    }

    public function withPartition(int $partition): self
    {
        self::notNegative('partition', $partition);
        $self = clone $this;
        $self->partition = $partition;

        return $self;
    }

    public function merge(OptionsInterface $options): OptionsInterface
    {
        $self = parent::merge($options);
        \assert($self instanceof self);

        if ($options instanceof KafkaOptionsInterface) {
            $self->topic = $options->getTopic();
            if ($options->getMetadata() !== self::DEFAULT_METADATA) {
                $self->metadata = $options->getMetadata();
            }
            if ($options->getOffset() !== self::DEFAULT_OFFSET) {
                $self->offset = $options->getOffset();
            }
            if ($options->getPartition() !== self::DEFAULT_PARTITION) {
                $self->partition = $options->getPartition();
            }
        }

        return $self;
    }

    /**
     * @return array<string, mixed>
     */
    public function toArray(): array
    {
        return [
            ...parent::toArray(),
            'topic' => $this->topic,
            'metadata' => $this->metadata,
            'offset' => $this->offset,
            'partition' => $this->partition,
        ];
    }

    private static function topicName(string $topic): void
    {
        if ($topic === '') {
            throw new \InvalidArgumentException('Kafka topic must not be empty');
        }
    }
}
