<?php

declare(strict_types=1);

namespace RR\Jobs;

use RR\Jobs\Queue\Driver;

/**
 * The default options of a queue created through {@see Jobs::create()} (Spiral\RoadRunner\Jobs\OptionsFactory).
 */
final class OptionsFactory
{
    public static function create(Driver $driver): OptionsInterface
    {
        return match ($driver) {
            Driver::Kafka => new KafkaOptions('default'),
            default => new Options(),
        };
    }
}
