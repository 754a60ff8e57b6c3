<?php

declare(strict_types=1);

namespace RR\Jobs\Task;

/**
 * @see ProvidesHeadersInterface
 */
trait HeadersTrait
{
    /** @var array<string, list<string>> */
    protected array $headers = [];

    /**
     * @return array<string, list<string>>
     */
    public function getHeaders(): array
    {
        return $this->headers;
    }

    public function hasHeader(string $name): bool
    {
        return isset($this->headers[$name]) && $this->headers[$name] !== [];
    }

    /**
     * @return list<string>
     */
    public function getHeader(string $name): array
    {
        return $this->headers[$name] ?? [];
    }

    public function getHeaderLine(string $name): string
    {
        return \implode(',', $this->getHeader($name));
    }
}
