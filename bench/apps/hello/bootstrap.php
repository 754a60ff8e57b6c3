<?php

// hello: no boot work; only the measurement, so every app reports its boot the same way.
declare(strict_types=1);

$__t0 = \hrtime(true);
require_once __DIR__ . '/../lib/info.php';
$BENCH_BOOT = ['app' => 'hello', 'us' => (\hrtime(true) - $__t0) / 1000];
