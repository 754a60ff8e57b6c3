<?php

declare(strict_types=1);

namespace RR\Telemetry;

use RR\Telemetry\Exception\ExportException;

/**
 * Sends spans to an OpenTelemetry collector as OTLP/HTTP JSON: `POST {endpoint}/v1/traces` with
 * `Content-Type: application/json`. PHP streams only (no curl); https needs ext-openssl.
 *
 * Where spans go, first match wins:
 * - the `$endpoint` argument (a base URL, `/v1/traces` is appended);
 * - OTEL_EXPORTER_OTLP_TRACES_ENDPOINT (the full URL, used as is);
 * - OTEL_EXPORTER_OTLP_ENDPOINT (a base URL, `/v1/traces` is appended);
 * - http://127.0.0.1:4318/v1/traces.
 * A value without a scheme is taken as `http://host:port`.
 *
 * Headers come from OTEL_EXPORTER_OTLP_HEADERS and OTEL_EXPORTER_OTLP_TRACES_HEADERS (`k=v,k2=v2`,
 * percent-encoded values), overridden by `$headers`. The resource is OTEL_RESOURCE_ATTRIBUTES with
 * OTEL_SERVICE_NAME as service.name (default `unknown_service:php`), overridden by `$resource`.
 *
 * Exporting is synchronous: call it after the response is sent, or batch spans and export once.
 */
final class OtlpHttpExporter
{
    public const TRACES_PATH = '/v1/traces';

    /** The URL spans are POSTed to. */
    public readonly string $url;

    /** @var array<string, string> */
    private array $headers;

    /** @var array<string, mixed> */
    private array $resource;

    /**
     * @param array<string, string>        $headers  sent with every export (an API key …)
     * @param array<string, mixed>         $resource resource attributes (service.name, service.version …)
     * @param array<string, string>|null   $env      the environment to read OTEL_* from; default getenv()
     */
    public function __construct(
        ?string $endpoint = null,
        array $headers = [],
        array $resource = [],
        private readonly float $timeout = 10.0,
        private readonly string $scopeName = 'rr/php-sdk',
        ?array $env = null,
    ) {
        $env ??= \getenv();
        $this->url = self::resolveUrl($endpoint, $env);
        $this->headers = \array_merge(
            self::keyValues($env['OTEL_EXPORTER_OTLP_HEADERS'] ?? ''),
            self::keyValues($env['OTEL_EXPORTER_OTLP_TRACES_HEADERS'] ?? ''),
            $headers,
        );
        $fromEnv = self::keyValues($env['OTEL_RESOURCE_ATTRIBUTES'] ?? '');
        $serviceName = \trim($env['OTEL_SERVICE_NAME'] ?? '');
        if ($serviceName !== '') {
            $fromEnv['service.name'] = $serviceName;
        }
        $this->resource = \array_merge(
            ['service.name' => 'unknown_service:php'],
            $fromEnv,
            ['telemetry.sdk.name' => 'rr/php-sdk', 'telemetry.sdk.language' => 'php'],
            $resource,
        );
    }

    /**
     * The OTLP/JSON ExportTraceServiceRequest for `$spans` (un-ended spans are ended now).
     */
    public function encode(Span ...$spans): string
    {
        $request = [
            'resourceSpans' => [[
                'resource' => ['attributes' => Otlp::attributes($this->resource)],
                'scopeSpans' => [[
                    'scope' => ['name' => $this->scopeName],
                    'spans' => \array_map(static fn (Span $s): array => $s->toOtlp(), $spans),
                ]],
            ]],
        ];

        return \json_encode($request, \JSON_THROW_ON_ERROR | \JSON_UNESCAPED_SLASHES | \JSON_UNESCAPED_UNICODE | \JSON_INVALID_UTF8_SUBSTITUTE);
    }

    /**
     * Sends `$spans` in one request. Nothing is sent for no spans.
     *
     * @throws ExportException when the collector is unreachable, times out or answers other than 2xx
     */
    public function export(Span ...$spans): void
    {
        if ($spans === []) {
            return;
        }
        $body = $this->encode(...$spans);
        $lines = ['Content-Type: application/json', 'Content-Length: ' . \strlen($body), 'Connection: close', 'User-Agent: rr-php-sdk'];
        foreach ($this->headers as $name => $value) {
            $lines[] = $name . ': ' . \str_replace(["\r", "\n"], '', $value);
        }
        $context = \stream_context_create([
            'http' => [
                'method' => 'POST',
                'header' => \implode("\r\n", $lines),
                'content' => $body,
                'timeout' => $this->timeout,
                'ignore_errors' => true,
                'protocol_version' => 1.1,
                'follow_location' => 0,
            ],
        ]);

        \error_clear_last();
        $response = @\file_get_contents($this->url, false, $context);
        $responseHeaders = \function_exists('http_get_last_response_headers') ? (\http_get_last_response_headers() ?? []) : ($http_response_header ?? []);
        $status = isset($responseHeaders[0]) && \preg_match('#^HTTP/\S+\s+(\d{3})#', $responseHeaders[0], $m) === 1 ? (int) $m[1] : 0;
        if ($response === false || $status === 0) {
            $why = \error_get_last()['message'] ?? 'no response';
            throw new ExportException(\sprintf('cannot send %d span(s) to %s: %s', \count($spans), $this->url, $why));
        }
        if ($status < 200 || $status > 299) {
            throw new ExportException(\sprintf('the collector at %s answered %d to %d span(s): %s', $this->url, $status, \count($spans), \substr(\trim($response), 0, 200)), $status);
        }
    }

    /**
     * @param array<string, string> $env
     */
    private static function resolveUrl(?string $endpoint, array $env): string
    {
        $base = static function (string $value): string {
            $value = \rtrim(\trim($value), '/');

            return \str_contains($value, '://') ? $value : 'http://' . $value;
        };
        if ($endpoint !== null && \trim($endpoint) !== '') {
            return $base($endpoint) . self::TRACES_PATH;
        }
        $traces = \trim($env['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT'] ?? '');
        if ($traces !== '') {
            return \str_contains($traces, '://') ? $traces : 'http://' . $traces;
        }
        $generic = \trim($env['OTEL_EXPORTER_OTLP_ENDPOINT'] ?? '');

        return $base($generic !== '' ? $generic : '127.0.0.1:4318') . self::TRACES_PATH;
    }

    /**
     * `k=v,k2=v2` with percent-encoded values, as OTEL_RESOURCE_ATTRIBUTES and OTEL_EXPORTER_OTLP_HEADERS are written.
     *
     * @return array<string, string>
     */
    private static function keyValues(string $list): array
    {
        $out = [];
        foreach (\explode(',', $list) as $pair) {
            $eq = \strpos($pair, '=');
            if ($eq === false || $eq === 0) {
                continue;
            }
            $key = \trim(\substr($pair, 0, $eq));
            if ($key !== '') {
                $out[$key] = \rawurldecode(\trim(\substr($pair, $eq + 1)));
            }
        }

        return $out;
    }
}
