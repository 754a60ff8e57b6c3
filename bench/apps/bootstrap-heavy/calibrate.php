<?php

/**
 * Calibration router for `php -S` (started by bench/run.mjs, never under load): runs boot() once with
 * ?iterations=N in a warm-opcache request process, as php-fpm would, and answers its measurement.
 */

declare(strict_types=1);

require __DIR__ . '/boot.php';

$stats = bench_boot(\max(0, (int) ($_GET['iterations'] ?? 0)))['stats'];
\header('Content-Type: application/json');
echo \json_encode($stats, \JSON_THROW_ON_ERROR);
