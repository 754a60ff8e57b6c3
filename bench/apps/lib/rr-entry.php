<?php

/**
 * Shared rr worker entry: runs the app's bootstrap ONCE per worker process, then serves every
 * request with the same handler as the fpm/php -S entry. Included by each app's worker.php.
 *
 * @var string $appDir set by the including worker.php
 */

declare(strict_types=1);

require '/work/main/php-sdk/autoload.php';

require $appDir . '/bootstrap.php';
require $appDir . '/handler.php';

$http = new RR\Http\HttpWorker(RR\Worker\Worker::create());

while (true) {
    try {
        $request = $http->waitRequest();
    } catch (\Throwable $e) {
        $http->getWorker()->error((string) $e);
        continue;
    }
    if ($request === null) {
        break; // rr stops the worker
    }
    try {
        [$status, $headers, $body] = bench_handle($request->uri, $BENCH_BOOT ?? null);
        $http->respond($status, $body, $headers);
    } catch (\Throwable $e) {
        $http->getWorker()->error((string) $e);
    }
}
