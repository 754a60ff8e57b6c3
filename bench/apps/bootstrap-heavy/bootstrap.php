<?php

// bootstrap-heavy: ~17 ms of boot work (class loading + calibrated CPU loop), see boot.php.
declare(strict_types=1);

require_once __DIR__ . '/../lib/info.php';
require_once __DIR__ . '/boot.php';

$__boot = bench_boot(require __DIR__ . '/generated/calibration.php');
$BENCH_CONTAINER = $__boot['container'];
$BENCH_BOOT = $__boot['stats'];
unset($__boot);
