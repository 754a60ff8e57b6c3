<?php

declare(strict_types=1);

/**
 * The request handler, shared by both entries: [status, headers, body].
 *
 * @return array{int, array<string, string>, string}
 */
function bench_handle(string $uri, ?array $boot): array
{
    if (\str_contains($uri, '/__bench/info')) {
        return [200, ['Content-Type' => 'application/json'], bench_info($boot)];
    }

    return [200, ['Content-Type' => 'text/plain'], 'Hello, World!'];
}
