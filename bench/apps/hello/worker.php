<?php

// rr worker: bootstrap once, then waitRequest/respond with the same handler.
declare(strict_types=1);

$appDir = __DIR__;
require __DIR__ . '/../lib/rr-entry.php';
