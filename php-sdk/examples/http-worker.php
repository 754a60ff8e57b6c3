<?php

/**
 * HTTP worker on the plain HttpWorker API, speaking whichever request encoding rr sends (JSON or
 * protobuf, detected on the first request).
 *
 *     http:
 *       address: 127.0.0.1:8080
 *     server:
 *       command: "php path/to/php-sdk/examples/http-worker.php"
 *
 * Routes (by path; examples/psr7-worker.php serves the same on PSR-7):
 *
 *     /                  200 "hello"
 *     /echo              200 JSON {method, uri, headers, query, cookies, parsed, body}
 *     /stream?n=N        200, N chunks "chunk 001\n"… (default 5, at most 1000), one stream frame each
 *     /early-hints       103 with two Link headers, then 200 "early hints sent"
 *     /error             the worker reports the error "boom" (rr answers 500)
 *     /cookies           200 with two Set-Cookie headers
 *     /status/<code>     that status (200–599), empty body
 *     anything else      404 "not found"
 */

declare(strict_types=1);

require __DIR__ . '/../autoload.php';

use RR\Http\HttpWorker;
use RR\Http\Request;
use RR\Worker\Worker;

$http = new HttpWorker(Worker::create());

while (true) {
    try {
        $request = $http->waitRequest();
    } catch (\Throwable $e) {
        $http->getWorker()->error((string) $e); // an undecodable request still gets an answer
        continue;
    }

    if ($request === null) {
        break; // rr stops the worker
    }

    try {
        route($http, $request);
    } catch (\Throwable $e) {
        $http->getWorker()->error((string) $e);
    }
}

function route(HttpWorker $http, Request $request): void
{
    $path = (string) \parse_url($request->uri, \PHP_URL_PATH);
    $text = ['Content-Type' => ['text/plain; charset=utf-8']];

    switch (true) {
        case $path === '' || $path === '/':
            $http->respond(200, 'hello', $text);

            return;

        case $path === '/echo':
            $http->respond(200, \json_encode([
                'method' => $request->method,
                'uri' => $request->uri,
                'headers' => (object) $request->headers,
                'query' => (object) $request->query,
                'cookies' => (object) $request->cookies,
                'parsed' => $request->getParsedBody(),
                'body' => $request->body,
            ], \JSON_THROW_ON_ERROR | \JSON_UNESCAPED_SLASHES | \JSON_INVALID_UTF8_SUBSTITUTE), ['Content-Type' => ['application/json']]);

            return;

        case $path === '/stream':
            $n = \max(0, \min(1000, (int) ($request->query['n'] ?? 5)));
            $http->respond(200, (static function () use ($n): \Generator {
                for ($i = 1; $i <= $n; ++$i) {
                    yield \sprintf("chunk %03d\n", $i);
                }
            })(), $text);

            return;

        case $path === '/early-hints':
            $http->respond(103, '', ['Link' => ['</style.css>; rel=preload; as=style', '</app.js>; rel=preload; as=script']], false);
            $http->respond(200, 'early hints sent', $text);

            return;

        case $path === '/error':
            $http->getWorker()->error('boom');

            return;

        case $path === '/cookies':
            $http->respond(200, 'cookies set', $text + ['Set-Cookie' => ['a=1; Path=/', 'b=2; Path=/; HttpOnly']]);

            return;

        case \preg_match('#^/status/([2-5]\d\d)$#', $path, $m) === 1:
            $http->respond((int) $m[1]);

            return;

        default:
            $http->respond(404, 'not found', $text);
    }
}
