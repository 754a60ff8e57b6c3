<?php

declare(strict_types=1);

/**
 * The request handler, shared by both entries: [status, headers, body]. Looks one service up in the
 * container booted by bootstrap.php (as an app would), then answers like hello.
 *
 * @return array{int, array<string, string>, string}
 */
function bench_handle(string $uri, ?array $boot): array
{
    if (\str_contains($uri, '/__bench/info')) {
        return [200, ['Content-Type' => 'application/json'], bench_info($boot)];
    }

    $service = $GLOBALS['BENCH_CONTAINER'][\Bench\App\Module01\Service01::class] ?? null;
    if ($service === null) {
        return [500, ['Content-Type' => 'text/plain'], 'container not booted'];
    }

    return [200, ['Content-Type' => 'text/plain'], 'Hello, World!'];
}
