<?php

/**
 * The example app rr serves out of the box (README: the main-job command).
 *
 * One long-lived PHP process per worker: it boots once, then answers many requests. Routes:
 *   GET /          a greeting with this worker's pid and how many requests it has served
 *   GET /hello?name=x
 *   POST /echo     the request (method, headers, query, parsed form or body) as JSON
 *   GET /stream    a response streamed to the client in 8-byte chunks (STREAM frames)
 *   GET /visits    a counter kept in rr's kv storage `cache` (memory driver), and how many jobs the
 *                  consumers have processed
 *   POST /jobs?n=3 pushes n jobs onto the `emails` pipeline (memory driver); GET /jobs: its stats
 *
 * The same file is the jobs consumer: rr starts it with RR_MODE=jobs for the jobs pool.
 */

declare(strict_types=1);

require __DIR__ . '/../../php-sdk/autoload.php';
require_once '/usr/share/php/Nyholm/Psr7/autoload.php';

use Nyholm\Psr7\Factory\Psr17Factory;
use Psr\Http\Message\ResponseInterface;
use Psr\Http\Message\ServerRequestInterface;
use RR\Goridge\RPC\RPC;
use RR\Http\PSR7Worker;
use RR\Jobs\Consumer;
use RR\Jobs\Jobs;
use RR\KeyValue\Factory;
use RR\KeyValue\StorageInterface;
use RR\Worker\Environment;
use RR\Worker\Worker;

$env = Environment::fromGlobals();
$rpc = RPC::create($env->getRPCAddress());
$cache = (new Factory($rpc))->select('cache');

if ($env->getMode() === 'jobs') {
    consume($cache);
    return;
}

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
        $worker->respond(handle($request, $factory, $served, $bootedAt, $worker, $cache, new Jobs($rpc)));
    } catch (\Throwable $e) {
        error_log('request failed: ' . $e->getMessage()); // stderr: rr logs it
        $worker->getWorker()->error($e->getMessage());
    } finally {
        $worker->chunkSize = 0;
    }
}

/** The jobs pool's loop: every job bumps a counter in kv, then is acked. */
function consume(StorageInterface $cache): void
{
    $consumer = new Consumer();
    while ($task = $consumer->waitTask()) {
        try {
            // get + set is not atomic; with one consumer (jobs.pool.num_workers: 1) it does not need to be.
            $cache->set('jobs_processed', (int) $cache->get('jobs_processed', 0) + 1);
            $task->ack();
        } catch (\Throwable $e) {
            $task->nack($e);
        }
    }
}

function handle(ServerRequestInterface $request, Psr17Factory $f, int $served, float $bootedAt, PSR7Worker $worker, StorageInterface $cache, Jobs $jobs): ResponseInterface
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
        case '/visits':
            // Two HTTP workers may race on get + set; a lost increment is acceptable for a demo counter.
            $visits = (int) $cache->get('visits', 0) + 1;
            $cache->set('visits', $visits, 3600);
            return $json(200, ['visits' => $visits, 'jobs_processed' => (int) $cache->get('jobs_processed', 0), 'visits_expire_at' => $cache->getTtl('visits')?->format(DATE_RFC3339)]);
        case '/jobs':
            $queue = $jobs->connect('emails');
            if ($request->getMethod() === 'POST') {
                $n = max(1, min(1000, (int) ($request->getQueryParams()['n'] ?? 1)));
                $ids = [];
                for ($i = 0; $i < $n; $i++) {
                    $ids[] = $queue->dispatch($queue->create('welcome-email', json_encode(['to' => "user{$i}@example.com"])))->getId();
                }
                return $json(202, ['pushed' => $ids]);
            }
            return $json(200, ['pipelines' => $jobs->stat()]);
        default:
            return $json(404, ['error' => 'not found', 'path' => $request->getUri()->getPath()]);
    }
}
