<?php

declare(strict_types=1);

namespace RR\Jobs\Task;

/**
 * Immutable header changes, shaped like PSR-7's (Spiral\RoadRunner\Jobs\Task\WritableHeadersInterface):
 * each method returns a copy.
 */
interface WritableHeadersInterface extends ProvidesHeadersInterface
{
    /**
     * A copy with the header set to these values.
     *
     * @param string|\Stringable|iterable<string|\Stringable|int|float> $value
     *
     * @throws \InvalidArgumentException on an empty name or a value that is not a string
     */
    public function withHeader(string $name, string|\Stringable|iterable $value): static;

    /**
     * A copy with the values appended to the header (which is created when missing).
     *
     * @param string|\Stringable|iterable<string|\Stringable|int|float> $value
     *
     * @throws \InvalidArgumentException on an empty name or a value that is not a string
     */
    public function withAddedHeader(string $name, string|\Stringable|iterable $value): static;

    /**
     * A copy without the header.
     *
     * @throws \InvalidArgumentException on an empty name
     */
    public function withoutHeader(string $name): static;
}
