<?php

/**
 * The diagnostics answer of GET /__bench/info (the same in every server): SAPI, pid, opcache state
 * and the bootstrap measurement. The runner reads it once per server, never under load.
 */

declare(strict_types=1);

function bench_info(?array $boot): string
{
    $status = \function_exists('opcache_get_status') ? @\opcache_get_status(false) : false;

    return \json_encode([
        'sapi' => \PHP_SAPI,
        'php' => \PHP_VERSION,
        'pid' => \getmypid(),
        'opcache' => [
            'loaded' => \extension_loaded('Zend OPcache'),
            'enabled' => \is_array($status) && ($status['opcache_enabled'] ?? false),
            'jit' => \is_array($status) && ($status['jit']['on'] ?? false),
            'ini' => [
                'opcache.enable' => \ini_get('opcache.enable'),
                'opcache.enable_cli' => \ini_get('opcache.enable_cli'),
                'opcache.memory_consumption' => \ini_get('opcache.memory_consumption'),
                'opcache.validate_timestamps' => \ini_get('opcache.validate_timestamps'),
                'opcache.revalidate_freq' => \ini_get('opcache.revalidate_freq'),
                'opcache.jit' => \ini_get('opcache.jit'),
                'opcache.jit_buffer_size' => \ini_get('opcache.jit_buffer_size'),
            ],
            'cached_scripts' => \is_array($status) ? ($status['opcache_statistics']['num_cached_scripts'] ?? null) : null,
        ],
        'memory_limit' => \ini_get('memory_limit'),
        'boot' => $boot,
    ], \JSON_THROW_ON_ERROR | \JSON_UNESCAPED_SLASHES);
}
