<?php

declare(strict_types=1);

namespace RR\Jobs\Queue;

/**
 * What {@see \RR\Jobs\JobsInterface::create()} declares (Spiral\RoadRunner\Jobs\Queue\CreateInfoInterface).
 */
interface CreateInfoInterface extends \JsonSerializable
{
    public function getName(): string;

    public function getDriver(): Driver;

    /**
     * The pipeline's settings as sent in `jobs.v1.DeclareRequest.pipeline`: `name`, `driver` and
     * the driver's options. Values are turned into strings on the way: ints and Stringables as
     * PHP prints them, bools as `true`/`false`, arrays and JsonSerializables as JSON.
     *
     * @return array<string, mixed>
     */
    public function toArray(): array;
}
