<?php

/**
 * HTTP worker on PSR-7, with Nyholm's PSR-17 factory: the routes of examples/http-worker.php.
 *
 *     server:
 *       command: "php path/to/php-sdk/examples/psr7-worker.php"
 *
 * Nyholm is loaded from Debian's php-nyholm-psr7 (/usr/share/php/Nyholm/Psr7/autoload.php, which
 * also loads the PSR-7/PSR-17 interfaces), or from the file named by PSR7_AUTOLOAD (e.g. a
 * Composer vendor/autoload.php). The SDK itself needs only the PSR interfaces.
 *
 * Differences from the plain example: /echo shows the PSR-7 headers (with the Host header the
 * request factory derives from the URI); /stream sends its N chunks through PSR7Worker::$chunkSize,
 * so the last chunk travels in the final frame.
 */

declare(strict_types=1);

require __DIR__ . '/../autoload.php';

$psr7Autoload = (string) (\getenv('PSR7_AUTOLOAD') ?: '/usr/share/php/Nyholm/Psr7/autoload.php');
if (!\is_file($psr7Autoload)) {
    \fwrite(\STDERR, "psr7-worker: $psr7Autoload not found; install php-nyholm-psr7 or set PSR7_AUTOLOAD\n");
    exit(1);
}
require_once $psr7Autoload;

use Nyholm\Psr7\Factory\Psr17Factory;
use Psr\Http\Message\ServerRequestInterface;
use RR\Http\PSR7Worker;
use RR\Worker\Worker;

const CHUNK = 10; // strlen("chunk 001\n")

$factory = new Psr17Factory();
$psr7 = new PSR7Worker(Worker::create(), $factory, $factory, $factory);

while (true) {
    try {
        $request = $psr7->waitRequest();
    } catch (\Throwable $e) {
        $psr7->getWorker()->error((string) $e); // an undecodable request still gets an answer
        continue;
    }

    if ($request === null) {
        break; // rr stops the worker
    }

    try {
        route($psr7, $factory, $request);
    } catch (\Throwable $e) {
        $psr7->getWorker()->error((string) $e);
    } finally {
        $psr7->chunkSize = 0;
    }
}

function route(PSR7Worker $psr7, Psr17Factory $factory, ServerRequestInterface $request): void
{
    $path = $request->getUri()->getPath();
    $text = static fn(int $status, string $body) => $factory->createResponse($status)
        ->withHeader('Content-Type', 'text/plain; charset=utf-8')
        ->withBody($factory->createStream($body));

    switch (true) {
        case $path === '' || $path === '/':
            $psr7->respond($text(200, 'hello'));

            return;

        case $path === '/echo':
            $json = \json_encode([
                'method' => $request->getMethod(),
                'uri' => (string) $request->getUri(),
                'headers' => (object) $request->getHeaders(),
                'query' => (object) $request->getQueryParams(),
                'cookies' => (object) $request->getCookieParams(),
                'parsed' => $request->getParsedBody(),
                'body' => (string) $request->getBody(),
            ], \JSON_THROW_ON_ERROR | \JSON_UNESCAPED_SLASHES | \JSON_INVALID_UTF8_SUBSTITUTE);
            $psr7->respond($factory->createResponse(200)
                ->withHeader('Content-Type', 'application/json')
                ->withBody($factory->createStream($json)));

            return;

        case $path === '/stream':
            $n = \max(0, \min(1000, (int) ($request->getQueryParams()['n'] ?? 5)));
            $body = '';
            for ($i = 1; $i <= $n; ++$i) {
                $body .= \sprintf("chunk %03d\n", $i);
            }
            $psr7->chunkSize = CHUNK;
            $psr7->respond($text(200, $body));

            return;

        case $path === '/early-hints':
            $psr7->respond($factory->createResponse(103)
                ->withHeader('Link', ['</style.css>; rel=preload; as=style', '</app.js>; rel=preload; as=script']));
            $psr7->respond($text(200, 'early hints sent'));

            return;

        case $path === '/error':
            $psr7->getWorker()->error('boom');

            return;

        case $path === '/cookies':
            $psr7->respond($text(200, 'cookies set')
                ->withAddedHeader('Set-Cookie', 'a=1; Path=/')
                ->withAddedHeader('Set-Cookie', 'b=2; Path=/; HttpOnly'));

            return;

        case \preg_match('#^/status/([2-5]\d\d)$#', $path, $m) === 1:
            $psr7->respond($factory->createResponse((int) $m[1]));

            return;

        default:
            $psr7->respond($text(404, 'not found'));
    }
}
