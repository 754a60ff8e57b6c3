<?php

declare(strict_types=1);

namespace RR\Tests\Telemetry;

use PHPUnit\Framework\TestCase;
use RR\Telemetry\Exception\ExportException;
use RR\Telemetry\OtlpHttpExporter;
use RR\Telemetry\Span;
use RR\Telemetry\SpanKind;
use RR\Telemetry\TraceContext;
use RR\Tests\Support\Servers;

/**
 * @requires extension pcntl
 */
final class OtlpHttpExporterTest extends TestCase
{
    private const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
    private const SPAN = '00f067aa0ba902b7';

    /**
     * @param array<string, mixed> $kvs OTLP attributes
     *
     * @return array<string, mixed>
     */
    private static function attributes(array $kvs): array
    {
        $out = [];
        foreach ($kvs as $kv) {
            $out[$kv['key']] = $kv['value'];
        }

        return $out;
    }

    public function testPostsOtlpJsonToTheEndpointFromTheEnvironment(): void
    {
        $collector = new FakeCollector();
        $rr = TraceContext::fromHeaders(['traceparent' => ['00-' . self::TRACE . '-' . self::SPAN . '-01'], 'tracestate' => ['vendor=x']]);
        $span = Span::start('GET /users', $rr, SpanKind::Server, ['http.request.method' => 'GET', 'http.response.status_code' => 200, 'cached' => false, 'ratio' => 0.25, 'tags' => ['a', 'b'], 'skip' => null], 1_700_000_000_000_000_000);
        $span->end(1_700_000_000_250_000_000);
        $failed = Span::start('db query', $span->context, SpanKind::Client);
        $failed->fail('query failed', new \RuntimeException('deadlock'));
        $failed->end();

        $exporter = new OtlpHttpExporter(env: ['OTEL_EXPORTER_OTLP_ENDPOINT' => $collector->url, 'OTEL_SERVICE_NAME' => 'php-app', 'OTEL_EXPORTER_OTLP_HEADERS' => 'x-api-key=s%20ecret']);
        self::assertSame($collector->url . '/v1/traces', $exporter->url);
        $exporter->export($span, $failed);

        $request = $collector->request();
        self::assertSame('POST /v1/traces HTTP/1.1', $request['requestLine']);
        self::assertSame('application/json', $request['headers']['content-type']);
        self::assertSame('s ecret', $request['headers']['x-api-key']);

        $body = \json_decode($request['body'], true, 512, \JSON_THROW_ON_ERROR);
        $resourceSpans = $body['resourceSpans'][0];
        self::assertSame(['stringValue' => 'php-app'], self::attributes($resourceSpans['resource']['attributes'])['service.name']);
        self::assertSame('rr/php-sdk', $resourceSpans['scopeSpans'][0]['scope']['name']);
        [$server, $client] = $resourceSpans['scopeSpans'][0]['spans'];

        self::assertSame(self::TRACE, $server['traceId']);
        self::assertSame($span->context->spanId, $server['spanId']);
        self::assertSame(self::SPAN, $server['parentSpanId']);
        self::assertSame('vendor=x', $server['traceState']);
        self::assertSame('GET /users', $server['name']);
        self::assertSame(2, $server['kind']);
        self::assertSame('1700000000000000000', $server['startTimeUnixNano']);
        self::assertSame('1700000000250000000', $server['endTimeUnixNano']);
        self::assertSame([
            'http.request.method' => ['stringValue' => 'GET'],
            'http.response.status_code' => ['intValue' => '200'],
            'cached' => ['boolValue' => false],
            'ratio' => ['doubleValue' => 0.25],
            'tags' => ['arrayValue' => ['values' => [['stringValue' => 'a'], ['stringValue' => 'b']]]],
        ], self::attributes($server['attributes']));
        self::assertSame(['code' => 0], $server['status']);

        self::assertSame(self::TRACE, $client['traceId']);
        self::assertSame($span->context->spanId, $client['parentSpanId']);
        self::assertSame(3, $client['kind']);
        self::assertSame(['code' => 2, 'message' => 'query failed'], $client['status']);
        self::assertSame('exception', $client['events'][0]['name']);
        $event = self::attributes($client['events'][0]['attributes']);
        self::assertSame(['stringValue' => 'RuntimeException'], $event['exception.type']);
        self::assertSame(['stringValue' => 'deadlock'], $event['exception.message']);
        self::assertGreaterThanOrEqual((int) $client['startTimeUnixNano'], (int) $client['endTimeUnixNano']);
    }

    public function testTheEndpointArgumentWinsAndExplicitHeadersOverrideTheEnvironment(): void
    {
        $collector = new FakeCollector();
        $exporter = new OtlpHttpExporter(
            \substr($collector->url, \strlen('http://')) . '/',
            ['X-Api-Key' => 'mine'],
            ['service.name' => 'explicit', 'service.version' => '1.2.3'],
            env: ['OTEL_EXPORTER_OTLP_ENDPOINT' => 'http://127.0.0.1:1', 'OTEL_EXPORTER_OTLP_HEADERS' => 'X-Api-Key=env', 'OTEL_RESOURCE_ATTRIBUTES' => 'deployment.environment=prod'],
        );
        $exporter->export(Span::start('job')->end());

        $request = $collector->request();
        self::assertSame('POST /v1/traces HTTP/1.1', $request['requestLine']);
        self::assertSame('mine', $request['headers']['x-api-key']);
        $resource = self::attributes(\json_decode($request['body'], true)['resourceSpans'][0]['resource']['attributes']);
        self::assertSame(['stringValue' => 'explicit'], $resource['service.name']);
        self::assertSame(['stringValue' => '1.2.3'], $resource['service.version']);
        self::assertSame(['stringValue' => 'prod'], $resource['deployment.environment']);
    }

    public function testResolvesUrlsFromTheEnvironment(): void
    {
        self::assertSame('http://127.0.0.1:4318/v1/traces', (new OtlpHttpExporter(env: []))->url);
        self::assertSame('http://collector:4318/v1/traces', (new OtlpHttpExporter(env: ['OTEL_EXPORTER_OTLP_ENDPOINT' => 'collector:4318']))->url);
        self::assertSame('https://c.example/otlp/v1/traces', (new OtlpHttpExporter(env: ['OTEL_EXPORTER_OTLP_ENDPOINT' => 'https://c.example/otlp/']))->url);
        self::assertSame('http://t:1/custom', (new OtlpHttpExporter(env: ['OTEL_EXPORTER_OTLP_ENDPOINT' => 'http://x:1', 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT' => 'http://t:1/custom']))->url);
    }

    public function testACollectorErrorIsAnExportException(): void
    {
        $collector = new FakeCollector(503, '{"error":"overloaded"}');
        $exporter = new OtlpHttpExporter($collector->url, env: []);

        try {
            $exporter->export(Span::start('x')->end());
            self::fail('no exception');
        } catch (ExportException $e) {
            self::assertSame(503, $e->getCode());
            self::assertStringContainsString('answered 503', $e->getMessage());
            self::assertStringContainsString('overloaded', $e->getMessage());
        }
        self::assertSame('POST /v1/traces HTTP/1.1', $collector->request()['requestLine']);
    }

    public function testAnUnreachableCollectorIsAnExportException(): void
    {
        $servers = new Servers();
        [, $address] = $servers->tcp();
        $servers->close(); // nothing listens there any more

        $this->expectException(ExportException::class);
        $this->expectExceptionMessage('cannot send 1 span(s) to http://' . \substr($address, \strlen('tcp://')) . '/v1/traces');
        (new OtlpHttpExporter(\substr($address, \strlen('tcp://')), timeout: 2.0, env: []))->export(Span::start('x')->end());
    }

    public function testExportingNothingSendsNothing(): void
    {
        (new OtlpHttpExporter('127.0.0.1:1', env: []))->export();
        self::assertSame('{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"unknown_service:php"}},{"key":"telemetry.sdk.name","value":{"stringValue":"rr/php-sdk"}},{"key":"telemetry.sdk.language","value":{"stringValue":"php"}}]},"scopeSpans":[{"scope":{"name":"rr/php-sdk"},"spans":[]}]}]}', (new OtlpHttpExporter(env: []))->encode());
    }
}
