<?php

/**
 * The bootstrap-heavy app's boot: register an autoloader, load + link every generated class through a
 * small container (config array, instantiation, boot()), then a CPU loop standing for the rest of a
 * framework boot (config merging, route compilation…). The loop count is calibrated by the runner so
 * the whole boot takes ~17 ms of CPU on this machine with a warm opcache (what php-fpm pays per
 * request).
 *
 * Returns the container and the measurement: total, class-loading and loop time, wall and CPU (µs).
 */

declare(strict_types=1);

function bench_cpu_us(): float
{
    $r = \getrusage();

    return $r['ru_utime.tv_sec'] * 1e6 + $r['ru_utime.tv_usec'] + $r['ru_stime.tv_sec'] * 1e6 + $r['ru_stime.tv_usec'];
}

function bench_boot(int $iterations): array
{
    $c0 = bench_cpu_us();
    $t0 = \hrtime(true);

    $src = __DIR__ . '/generated/src/';
    \spl_autoload_register(static function (string $class) use ($src): void {
        if (\str_starts_with($class, 'Bench\\App\\')) {
            $file = $src . \str_replace('\\', '/', \substr($class, 10)) . '.php';
            if (\is_file($file)) {
                require $file;
            }
        }
    });

    $config = require __DIR__ . '/generated/services.php';
    $container = [];
    $booted = 0;
    foreach ($config as $class => $options) {
        $service = new $class($options);
        $booted += $service->boot();
        $container[$class] = $service;
    }
    $t1 = \hrtime(true);
    $c1 = bench_cpu_us();

    // CPU work standing for the rest of the boot; deterministic, result kept so it is not dead code.
    $acc = $booted;
    for ($i = 0; $i < $iterations; ++$i) {
        $acc = ($acc * 31 + $i) % 2147483647;
    }
    $t2 = \hrtime(true);
    $c2 = bench_cpu_us();

    return [
        'container' => $container,
        'stats' => [
            'app' => 'bootstrap-heavy',
            // wall clock, then CPU time of this process (getrusage): CPU time is what the calibration
            // uses, as it does not grow when other processes compete for the cores.
            'us' => ($t2 - $t0) / 1000,
            'load_us' => ($t1 - $t0) / 1000,
            'loop_us' => ($t2 - $t1) / 1000,
            'cpu_us' => $c2 - $c0,
            'load_cpu_us' => $c1 - $c0,
            'loop_cpu_us' => $c2 - $c1,
            'classes' => \count($container),
            'iterations' => $iterations,
            'checksum' => $acc,
        ],
    ];
}
