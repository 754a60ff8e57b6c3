<?php

// php-fpm / php -S entry: bootstrap + handler on every request.
declare(strict_types=1);

$appDir = __DIR__;
require __DIR__ . '/../lib/fpm-entry.php';
