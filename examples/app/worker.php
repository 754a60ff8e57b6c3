<?php

/**
 * The example app rr serves out of the box (README: the main-job command).
 *
 * One long-lived PHP process per worker: it boots once, then answers many requests. Routes:
 *   GET /          a greeting with this worker's pid and how many requests it has served
 *   GET /hello?name=x
 *   POST /echo     the request (method, headers, query, parsed form or body) as JSON
 *   GET /stream    a response streamed to the client in 8-byte chunks (STREAM frames)
 */

declare(strict_types=1);

require __DIR__ . '/../../php-sdk/autoload.php';
require_once '/usr/share/php/Nyholm/Psr7/autoload.php';

use Nyholm\Psr7\Factory\Psr17Factory;
use Psr\Http\Message\ResponseInterface;
use Psr\Http\Message\ServerRequestInterface;
use RR\Http\PSR7Worker;
use RR\Worker\Worker;

$bootedAt = microtime(true); // the "boot": done once, not per request
$served = 0;
$factory = new Psr17Factory();
$worker = new PSR7Worker(Worker::create(), $factory, $factory, $factory);

while (true) {
    try {
        $request = $worker->waitRequest();
    } catch (\Throwable $e) {
        $worker->getWorker()->error('bad request: ' . $e->getMessage());
        continue;
    }
    if ($request === null) {
        break; // rr asked this worker to stop
    }
    $served++;
    try {
        $worker->respond(handle($request, $factory, $served, $bootedAt, $worker));
    } catch (\Throwable $e) {
        error_log('request failed: ' . $e->getMessage()); // stderr: rr logs it
        $worker->getWorker()->error($e->getMessage());
    } finally {
        $worker->chunkSize = 0;
    }
}

function handle(ServerRequestInterface $request, Psr17Factory $f, int $served, float $bootedAt, PSR7Worker $worker): ResponseInterface
{
    $json = static fn(int $status, mixed $data) => $f->createResponse($status)
        ->withHeader('Content-Type', 'application/json')
        ->withBody($f->createStream(json_encode($data, JSON_PRETTY_PRINT | JSON_UNESCAPED_SLASHES) . "\n"));

    switch ($request->getUri()->getPath()) {
        case '/':
            return $json(200, [
                'message' => 'Hello from rr',
                'pid' => getmypid(),
                'requests_served_by_this_worker' => $served,
                'worker_uptime_seconds' => round(microtime(true) - $bootedAt, 3),
            ]);
        case '/hello':
            $name = (string) ($request->getQueryParams()['name'] ?? 'world');
            return $f->createResponse(200)
                ->withHeader('Content-Type', 'text/plain; charset=utf-8')
                ->withBody($f->createStream("Hello, {$name}!\n"));
        case '/echo':
            return $json(200, [
                'method' => $request->getMethod(),
                'uri' => (string) $request->getUri(),
                'headers' => $request->getHeaders(),
                'query' => $request->getQueryParams(),
                'parsed' => $request->getParsedBody(),
                'body' => (string) $request->getBody(),
            ]);
        case '/stream':
            $worker->chunkSize = 8;
            $body = '';
            for ($i = 1; $i <= 5; $i++) {
                $body .= sprintf("line %d\n", $i);
            }
            return $f->createResponse(200)->withHeader('Content-Type', 'text/plain')->withBody($f->createStream($body));
        default:
            return $json(404, ['error' => 'not found', 'path' => $request->getUri()->getPath()]);
    }
}
