<?php

/**
 * An HTTP worker for the e2e fault tests. Routes:
 *   /pid            this worker's pid
 *   /sleep?ms=N     sleeps N ms, then answers its pid (a slow request, or a runaway with exec_ttl)
 *   /alloc?mb=N&ms=M holds N MB for the rest of the worker's life, stays busy M ms, then answers its pid
 *   /stdout         writes raw bytes to stdout behind the SDK's back (breaks framing), then answers
 *   /echo           the request body
 *   /uploads        the uploads tree as JSON, each file with the content PHP read from its temp file
 */

declare(strict_types=1);

require getenv('RR_PHP_SDK') . '/autoload.php';

// Tests break worker boots on purpose by creating this file (a deploy that broke the app).
$marker = getenv('RR_TEST_BROKEN_MARKER');
if ($marker !== false && $marker !== '' && file_exists($marker)) {
    fwrite(STDERR, "refusing to boot: $marker exists\n");
    exit(1);
}

use RR\Http\HttpWorker;
use RR\Worker\Worker;

$http = new HttpWorker(Worker::create());
$hold = [];

while (($request = $http->waitRequest()) !== null) {
    $path = (string) parse_url($request->uri, PHP_URL_PATH);
    parse_str($request->rawQuery, $query);
    switch ($path) {
        case '/sleep':
            usleep(((int) ($query['ms'] ?? 10)) * 1000);
            $http->respond(200, (string) getmypid());
            break;
        case '/alloc':
            $hold[] = str_repeat('x', ((int) ($query['mb'] ?? 1)) * 1024 * 1024);
            usleep(((int) ($query['ms'] ?? 0)) * 1000);
            $http->respond(200, (string) getmypid());
            break;
        case '/stdout':
            $out = fopen('php://stdout', 'wb');
            fwrite($out, "STRAY-OUTPUT-FROM-PHP\n");
            fflush($out);
            $http->respond(200, (string) getmypid());
            break;
        case '/echo':
            $http->respond(200, $request->body);
            break;
        case '/request':
            $http->respond(200, json_encode(['method' => $request->method, 'uri' => $request->uri, 'protocol' => $request->protocol, 'remoteAddr' => $request->remoteAddr, 'headers' => $request->headers]), ['Content-Type' => ['application/json']]);
            break;
        case '/big':
            $http->respond(200, str_repeat("compressible line of text\n", intdiv((int) ($query['bytes'] ?? 65536), 26)), ['Content-Type' => ['text/plain']]);
            break;
        case '/uploads':
            $files = [];
            foreach ($request->uploads as $field => $file) {
                $files[$field] = $file + ['content' => $file['error'] === 0 ? file_get_contents($file['tmpName']) : null];
            }
            $http->respond(200, json_encode(['files' => $files, 'parsed' => $request->getParsedBody()]));
            break;
        default:
            $http->respond(200, (string) getmypid());
    }
}
