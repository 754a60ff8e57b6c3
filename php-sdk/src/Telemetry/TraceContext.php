<?php

declare(strict_types=1);

namespace RR\Telemetry;

/**
 * A W3C Trace Context (https://www.w3.org/TR/trace-context/): the trace a PHP worker continues.
 *
 * rr's `otel` middleware (and its http/jobs/grpc tracing) hands each request its own span as a
 * `traceparent` header, so a span the worker starts as a child of that context shows up under rr's
 * span in the trace:
 *
 * ```php
 * $parent = TraceContext::fromHeaders($request->getHeaders()) ?? TraceContext::root();
 * $span = Span::start('render', $parent->child(), SpanKind::Internal);
 * // … outgoing calls carry $span->context->headers() …
 * $exporter->export($span->end());
 * ```
 *
 * Immutable. Ids are lower-case hex: 32 digits for the trace, 16 for the span.
 */
final class TraceContext
{
    public const FLAG_SAMPLED = 0x01;

    private function __construct(
        public readonly string $traceId,
        public readonly string $spanId,
        public readonly int $traceFlags = self::FLAG_SAMPLED,
        /** The vendor `tracestate` list, passed on unchanged ('' when none). */
        public readonly string $traceState = '',
        /** The span this context's span is a child of; null for a context read from headers or a root. */
        public readonly ?string $parentSpanId = null,
    ) {
    }

    /**
     * Reads `traceparent` (and `tracestate`) from request headers. Accepts PSR-7 style arrays
     * (`['traceparent' => ['00-…']]`, as `getHeaders()` returns), plain strings (`['Traceparent' => '00-…']`)
     * and `$_SERVER` keys (`HTTP_TRACEPARENT`). Names are matched without case. A list value is read
     * by its first element, except `tracestate`, whose lines are joined with commas as the W3C
     * specification says.
     *
     * @param array<array-key, mixed> $headers
     *
     * @return self|null null when there is no valid traceparent
     */
    public static function fromHeaders(array $headers): ?self
    {
        $traceparent = null;
        $tracestate = [];
        foreach ($headers as $name => $value) {
            $key = \strtolower((string) $name);
            if (\str_starts_with((string) $name, 'HTTP_')) {
                // $_SERVER spells request headers HTTP_TRACEPARENT.
                $key = \str_replace('_', '-', \substr($key, 5));
            }
            if ($key === 'traceparent' && $traceparent === null) {
                $traceparent = self::first($value);
            } elseif ($key === 'tracestate') {
                foreach (\is_array($value) ? $value : [$value] as $line) {
                    if (\is_string($line) && \trim($line) !== '') {
                        $tracestate[] = \trim($line);
                    }
                }
            }
        }

        return $traceparent === null ? null : self::fromTraceparent($traceparent, \implode(',', $tracestate));
    }

    /**
     * Parses one `traceparent` value: `version-traceid-parentid-flags`, validated as the W3C
     * specification asks (lower-case hex, no all-zero ids, version ff refused; a future version may
     * carry more fields after the flags).
     *
     * @return self|null null when the value is not a valid traceparent
     */
    public static function fromTraceparent(string $traceparent, string $tracestate = ''): ?self
    {
        $value = \trim($traceparent, " \t");
        if (\preg_match('/^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/D', $value, $m) !== 1) {
            return null;
        }
        [, $version, $traceId, $spanId, $flags] = $m;
        $rest = $m[5] ?? '';
        if ($version === 'ff' || ($version === '00' && $rest !== '')) {
            return null;
        }
        if ($traceId === \str_repeat('0', 32) || $spanId === \str_repeat('0', 16)) {
            return null;
        }

        return new self($traceId, $spanId, (int) \hexdec($flags), \trim($tracestate));
    }

    /**
     * A context that starts a new trace (for a worker that received none).
     */
    public static function root(bool $sampled = true): self
    {
        return new self(self::randomHex(16), self::randomHex(8), $sampled ? self::FLAG_SAMPLED : 0);
    }

    /**
     * The context of a new span in the same trace, whose parent is this context's span: a fresh span
     * id; trace id, flags and tracestate kept.
     */
    public function child(): self
    {
        return new self($this->traceId, self::randomHex(8), $this->traceFlags, $this->traceState, $this->spanId);
    }

    /**
     * The W3C `traceparent` header value of this context: `00-<trace id>-<span id>-<flags>`.
     */
    public function traceparent(): string
    {
        return \sprintf('00-%s-%s-%02x', $this->traceId, $this->spanId, $this->traceFlags & 0xff);
    }

    public function isSampled(): bool
    {
        return ($this->traceFlags & self::FLAG_SAMPLED) === self::FLAG_SAMPLED;
    }

    /**
     * Headers that carry this context to the next hop (an outgoing HTTP call, a queued job).
     *
     * @return array<string, string>
     */
    public function headers(): array
    {
        $headers = ['traceparent' => $this->traceparent()];
        if ($this->traceState !== '') {
            $headers['tracestate'] = $this->traceState;
        }

        return $headers;
    }

    private static function first(mixed $value): ?string
    {
        if (\is_array($value)) {
            $value = $value[\array_key_first($value)] ?? null;
        }

        return \is_string($value) ? $value : null;
    }

    private static function randomHex(int $bytes): string
    {
        do {
            $hex = \bin2hex(\random_bytes($bytes));
        } while ($hex === \str_repeat('0', $bytes * 2));

        return $hex;
    }
}
