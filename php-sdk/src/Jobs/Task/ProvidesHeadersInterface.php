<?php

declare(strict_types=1);

namespace RR\Jobs\Task;

/**
 * Read access to a task's headers, shaped like PSR-7's (Spiral\RoadRunner\Jobs\Task\ProvidesHeadersInterface).
 * Names are compared as given (case-sensitive), as by the official client and rr.
 */
interface ProvidesHeadersInterface
{
    /**
     * @return array<string, list<string>> name => values
     */
    public function getHeaders(): array;

    /** True when the header is there with at least one value. */
    public function hasHeader(string $name): bool;

    /**
     * @return list<string> the values, an empty list when the header is not there
     */
    public function getHeader(string $name): array;

    /** The values joined with `,`; an empty string when the header is not there. */
    public function getHeaderLine(string $name): string;
}
