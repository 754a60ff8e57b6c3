<?php

/**
 * Echo worker: answers every request with the body and context it received.
 *
 * Run by rr over any relay (RR_RELAY = pipes, tcp://host:port or unix:///path):
 *
 *     server:
 *       command: "php path/to/php-sdk/examples/echo-worker.php"
 *
 * Exits when rr stops the worker.
 */

declare(strict_types=1);

require __DIR__ . '/../autoload.php';

use RR\Worker\Payload;
use RR\Worker\Worker;

$worker = Worker::create();

while ($request = $worker->waitPayload()) {
    try {
        $worker->respond(new Payload($request->body, $request->header));
    } catch (\Throwable $e) {
        $worker->error((string) $e);
    }
}
