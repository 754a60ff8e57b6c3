<?php

declare(strict_types=1);

namespace RR\Tests\Telemetry;

use PHPUnit\Framework\TestCase;
use RR\Telemetry\Span;
use RR\Telemetry\SpanKind;
use RR\Telemetry\SpanStatus;
use RR\Telemetry\TraceContext;

final class SpanTest extends TestCase
{
    public function testAChildOfRrsContextOrARoot(): void
    {
        $rr = TraceContext::fromTraceparent('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01');
        $child = Span::start('work', $rr);
        self::assertSame('4bf92f3577b34da6a3ce929d0e0e4736', $child->context->traceId);
        self::assertSame('00f067aa0ba902b7', $child->context->parentSpanId);
        self::assertSame(SpanKind::Internal, $child->kind);

        $root = Span::start('cli');
        self::assertNull($root->context->parentSpanId);
        self::assertArrayNotHasKey('parentSpanId', $root->toOtlp());
    }

    public function testClockIsEpochNanosecondsAndMonotonic(): void
    {
        $a = Span::nowNanos();
        $b = Span::nowNanos();
        self::assertGreaterThanOrEqual($a, $b);
        self::assertEqualsWithDelta(\microtime(true), $a / 1e9, 1.0);
    }

    public function testEndOnceStatusAndAttributes(): void
    {
        $span = Span::start('x', null, SpanKind::Consumer, ['a' => 1]);
        self::assertFalse($span->isEnded());
        $span->setAttribute('b', 'two')->setAttribute('a', null)->setAttributes(['c' => ['k' => 'v']]);
        $span->setStatus(SpanStatus::Ok, 'ignored for ok');
        $span->end(10)->end(20);

        self::assertTrue($span->isEnded());
        self::assertSame(10, $span->endNanos());
        self::assertSame(['b' => 'two', 'c' => ['k' => 'v']], $span->attributes());
        self::assertSame(SpanStatus::Ok, $span->status());
        self::assertSame('', $span->statusMessage());
        $otlp = $span->toOtlp();
        self::assertSame(5, $otlp['kind']);
        self::assertSame(['code' => 1], $otlp['status']);
        self::assertSame('10', $otlp['endTimeUnixNano']);
        self::assertSame([
            ['key' => 'b', 'value' => ['stringValue' => 'two']],
            ['key' => 'c', 'value' => ['kvlistValue' => ['values' => [['key' => 'k', 'value' => ['stringValue' => 'v']]]]]],
        ], $otlp['attributes']);
    }

    public function testFailWithoutAThrowableAddsNoEvent(): void
    {
        $otlp = Span::start('x')->fail('bad')->toOtlp();
        self::assertSame(['code' => 2, 'message' => 'bad'], $otlp['status']);
        self::assertSame([], $otlp['events']);
        self::assertNotSame('', $otlp['endTimeUnixNano']);
    }

    public function testNonFiniteDoubles(): void
    {
        $values = \array_column(Span::start('x', attributes: ['nan' => \NAN, 'inf' => \INF, 'ninf' => -\INF])->toOtlp()['attributes'], 'value');
        self::assertSame([['doubleValue' => 'NaN'], ['doubleValue' => 'Infinity'], ['doubleValue' => '-Infinity']], $values);
    }
}
