<?php

declare(strict_types=1);

namespace RR\Jobs\Task;

/**
 * (Spiral\RoadRunner\Jobs\Task\Task)
 */
abstract class Task implements TaskInterface
{
    use HeadersTrait;

    /**
     * @param array<string, list<string>> $headers
     *
     * @throws \InvalidArgumentException on an empty name
     */
    public function __construct(
        protected readonly string $name,
        protected readonly string|\Stringable $payload,
        array $headers = [],
    ) {
        if ($name === '') {
            throw new \InvalidArgumentException('Job name must not be empty');
        }
        $this->headers = $headers;
    }

    public function getName(): string
    {
        return $this->name;
    }

    public function getPayload(): string
    {
        return (string) $this->payload;
    }
}
