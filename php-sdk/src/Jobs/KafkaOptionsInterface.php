<?php

declare(strict_types=1);

namespace RR\Jobs;

/**
 * Push options of a Kafka pipeline (Spiral\RoadRunner\Jobs\KafkaOptionsInterface): the
 * `jobs.v1.Options` topic, metadata, offset and partition on top of the common ones.
 */
interface KafkaOptionsInterface extends OptionsInterface
{
    public const DEFAULT_METADATA = '';
    public const DEFAULT_OFFSET = 0;
    public const DEFAULT_PARTITION = 0;

    public function getTopic(): string;

    public function getMetadata(): string;

    public function getOffset(): int;

    public function getPartition(): int;
}
