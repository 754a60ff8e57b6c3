<?php

/**
 * A traced worker for the OpenTelemetry e2e test: the HTTP worker and (RR_MODE=jobs) the jobs consumer.
 * Each request or job continues rr's trace from its headers with a span of its own, exported as OTLP/JSON
 * to OTEL_EXPORTER_OTLP_ENDPOINT by php-sdk's RR\Telemetry (what an app with a real OpenTelemetry SDK does).
 *
 *   GET /          answers {"traceparent": <what rr sent>, "span": <this span's traceparent>}
 *   GET /push      the same, after pushing one job to the `traced` pipeline with this span's context
 *                  in the job's headers, so the job's spans continue this trace
 *   GET /fail      answers 500 (the span is failed)
 */

declare(strict_types=1);

require getenv('RR_PHP_SDK') . '/autoload.php';

use RR\Goridge\RPC\RPC;
use RR\Http\HttpWorker;
use RR\Jobs\Consumer;
use RR\Jobs\Jobs;
use RR\Telemetry\OtlpHttpExporter;
use RR\Telemetry\Span;
use RR\Telemetry\SpanKind;
use RR\Telemetry\TraceContext;
use RR\Worker\Environment;
use RR\Worker\Worker;

$exporter = new OtlpHttpExporter();

if (getenv('RR_MODE') === 'jobs') {
    $consumer = new Consumer();
    while ($task = $consumer->waitTask()) {
        $span = Span::start('php.job', TraceContext::fromHeaders($task->getHeaders()), SpanKind::Consumer, ['job.name' => $task->getName()]);
        $task->ack();
        $exporter->export($span->end());
    }
    return;
}

$http = new HttpWorker(Worker::create());
$jobs = new Jobs(RPC::create(Environment::fromGlobals()->getRPCAddress()));

while (($request = $http->waitRequest()) !== null) {
    $path = (string) parse_url($request->uri, PHP_URL_PATH);
    $parent = TraceContext::fromHeaders($request->headers);
    $span = Span::start('php.handle', $parent, SpanKind::Internal, ['url.path' => $path]);
    $status = 200;
    if ($path === '/push') {
        $queue = $jobs->connect('traced');
        $task = $queue->create('traced-job', '{}');
        foreach ($span->context->headers() as $name => $value) {
            $task = $task->withHeader($name, $value);
        }
        $queue->dispatch($task);
    } elseif ($path === '/fail') {
        $status = 500;
        $span->fail('the app failed on purpose');
    }
    $http->respond($status, json_encode(['traceparent' => $parent?->traceparent(), 'span' => $span->context->traceparent()]));
    $exporter->export($span->end());
}
