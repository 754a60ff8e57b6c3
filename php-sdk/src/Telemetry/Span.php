<?php

declare(strict_types=1);

namespace RR\Telemetry;

/**
 * One span a PHP worker records, exported with {@see OtlpHttpExporter}.
 *
 * ```php
 * $span = Span::start('GET /users', TraceContext::fromHeaders($headers), SpanKind::Server, ['http.request.method' => 'GET']);
 * try { … } catch (\Throwable $e) { $span->fail('handler failed', $e); throw $e; } finally { $span->end(); }
 * ```
 *
 * Times are nanoseconds since the Unix epoch. Attribute values are strings, ints, floats, bools,
 * lists of them, or string-keyed maps; null removes an attribute.
 */
final class Span
{
    /** @var array<string, mixed> */
    private array $attributes = [];

    /** @var list<array{name: string, timeUnixNano: int, attributes: array<string, mixed>}> */
    private array $events = [];

    private SpanStatus $status = SpanStatus::Unset;

    private string $statusMessage = '';

    private ?int $endNanos = null;

    private static ?int $epochAnchor = null;

    private static int $hrAnchor = 0;

    private function __construct(
        public readonly string $name,
        /** This span's own context: give `$span->context->headers()` to the next hop. */
        public readonly TraceContext $context,
        public readonly SpanKind $kind,
        public readonly int $startNanos,
    ) {
    }

    /**
     * Starts a span as the child of `$parent` (rr's span, read with {@see TraceContext::fromHeaders()}),
     * or as the root of a new trace when there is none.
     *
     * @param array<string, mixed> $attributes
     */
    public static function start(string $name, ?TraceContext $parent = null, SpanKind $kind = SpanKind::Internal, array $attributes = [], ?int $startNanos = null): self
    {
        $span = new self($name, $parent?->child() ?? TraceContext::root(), $kind, $startNanos ?? self::nowNanos());

        return $span->setAttributes($attributes);
    }

    /**
     * Wall-clock nanoseconds since the Unix epoch, advanced by the monotonic clock so that durations
     * have nanosecond resolution and do not jump with the system clock.
     */
    public static function nowNanos(): int
    {
        if (self::$epochAnchor === null) {
            [$fraction, $seconds] = \explode(' ', \microtime());
            self::$epochAnchor = (int) $seconds * 1_000_000_000 + (int) \round((float) $fraction * 1_000_000_000);
            self::$hrAnchor = \hrtime(true);
        }

        return self::$epochAnchor + (\hrtime(true) - self::$hrAnchor);
    }

    public function setAttribute(string $key, mixed $value): self
    {
        if ($value === null) {
            unset($this->attributes[$key]);
        } else {
            $this->attributes[$key] = $value;
        }

        return $this;
    }

    /**
     * @param array<string, mixed> $attributes
     */
    public function setAttributes(array $attributes): self
    {
        foreach ($attributes as $key => $value) {
            $this->setAttribute((string) $key, $value);
        }

        return $this;
    }

    /**
     * @param array<string, mixed> $attributes
     */
    public function addEvent(string $name, array $attributes = [], ?int $timeNanos = null): self
    {
        $this->events[] = ['name' => $name, 'timeUnixNano' => $timeNanos ?? self::nowNanos(), 'attributes' => \array_filter($attributes, static fn ($v) => $v !== null)];

        return $this;
    }

    public function setStatus(SpanStatus $status, string $message = ''): self
    {
        $this->status = $status;
        // OpenTelemetry keeps a description only with an Error status.
        $this->statusMessage = $status === SpanStatus::Error ? $message : '';

        return $this;
    }

    /**
     * Marks the span failed (status Error with `$message`) and records `$error`, if given, as an
     * `exception` event (exception.type, exception.message, exception.stacktrace).
     */
    public function fail(string $message, ?\Throwable $error = null): self
    {
        $this->setStatus(SpanStatus::Error, $message);
        if ($error !== null) {
            $this->addEvent('exception', [
                'exception.type' => $error::class,
                'exception.message' => $error->getMessage(),
                'exception.stacktrace' => (string) $error,
            ]);
        }

        return $this;
    }

    /**
     * Ends the span; only the first call counts.
     */
    public function end(?int $endNanos = null): self
    {
        $this->endNanos ??= $endNanos ?? self::nowNanos();

        return $this;
    }

    public function isEnded(): bool
    {
        return $this->endNanos !== null;
    }

    public function endNanos(): ?int
    {
        return $this->endNanos;
    }

    /** @return array<string, mixed> */
    public function attributes(): array
    {
        return $this->attributes;
    }

    public function status(): SpanStatus
    {
        return $this->status;
    }

    public function statusMessage(): string
    {
        return $this->statusMessage;
    }

    /**
     * The span in the OTLP/JSON encoding (opentelemetry.proto.trace.v1.Span): ids in hex, 64-bit
     * times as decimal strings, kind and status code as numbers. A span not yet ended is ended now.
     *
     * @return array<string, mixed>
     */
    public function toOtlp(): array
    {
        $this->end();
        $span = [
            'traceId' => $this->context->traceId,
            'spanId' => $this->context->spanId,
        ];
        if ($this->context->parentSpanId !== null) {
            $span['parentSpanId'] = $this->context->parentSpanId;
        }
        if ($this->context->traceState !== '') {
            $span['traceState'] = $this->context->traceState;
        }

        return $span + [
            'flags' => $this->context->traceFlags,
            'name' => $this->name,
            'kind' => $this->kind->value,
            'startTimeUnixNano' => (string) $this->startNanos,
            'endTimeUnixNano' => (string) $this->endNanos,
            'attributes' => Otlp::attributes($this->attributes),
            'events' => \array_map(static fn (array $e): array => [
                'timeUnixNano' => (string) $e['timeUnixNano'],
                'name' => $e['name'],
                'attributes' => Otlp::attributes($e['attributes']),
            ], $this->events),
            'status' => $this->statusMessage === '' ? ['code' => $this->status->value] : ['code' => $this->status->value, 'message' => $this->statusMessage],
        ];
    }
}
