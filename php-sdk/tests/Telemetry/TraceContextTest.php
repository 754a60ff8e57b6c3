<?php

declare(strict_types=1);

namespace RR\Tests\Telemetry;

use PHPUnit\Framework\TestCase;
use RR\Telemetry\TraceContext;

final class TraceContextTest extends TestCase
{
    private const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
    private const SPAN = '00f067aa0ba902b7';
    private const TRACEPARENT = '00-' . self::TRACE . '-' . self::SPAN . '-01';

    public function testReadsPsr7HeaderArrays(): void
    {
        $ctx = TraceContext::fromHeaders(['Host' => ['example.com'], 'traceparent' => [self::TRACEPARENT], 'tracestate' => ['congo=t61rcWkgMzE', 'rojo=00f067aa0ba902b7']]);

        self::assertNotNull($ctx);
        self::assertSame(self::TRACE, $ctx->traceId);
        self::assertSame(self::SPAN, $ctx->spanId);
        self::assertSame(1, $ctx->traceFlags);
        self::assertTrue($ctx->isSampled());
        self::assertSame('congo=t61rcWkgMzE,rojo=00f067aa0ba902b7', $ctx->traceState);
        self::assertNull($ctx->parentSpanId);
        self::assertSame(self::TRACEPARENT, $ctx->traceparent());
    }

    public function testReadsPlainStringsAnyCaseAndServerKeys(): void
    {
        self::assertSame(self::TRACE, TraceContext::fromHeaders(['TraceParent' => self::TRACEPARENT])?->traceId);
        self::assertSame(self::SPAN, TraceContext::fromHeaders(['HTTP_TRACEPARENT' => self::TRACEPARENT, 'HTTP_TRACESTATE' => 'a=1'])?->spanId);
        self::assertSame('a=1', TraceContext::fromHeaders(['HTTP_TRACEPARENT' => self::TRACEPARENT, 'HTTP_TRACESTATE' => 'a=1'])?->traceState);
        // A list value is read by its first element.
        self::assertSame(self::SPAN, TraceContext::fromHeaders(['traceparent' => [self::TRACEPARENT, '00-' . \str_repeat('1', 32) . '-' . \str_repeat('2', 16) . '-01']])?->spanId);
        self::assertSame(0, TraceContext::fromHeaders(['traceparent' => '00-' . self::TRACE . '-' . self::SPAN . '-00'])?->traceFlags);
        self::assertFalse(TraceContext::fromHeaders(['traceparent' => '00-' . self::TRACE . '-' . self::SPAN . '-00'])?->isSampled());
    }

    /**
     * @return iterable<string, array{mixed}>
     */
    public function invalid(): iterable
    {
        yield 'missing' => [null];
        yield 'empty' => [''];
        yield 'garbage' => ['not a traceparent'];
        yield 'upper-case hex' => ['00-' . \strtoupper(self::TRACE) . '-' . self::SPAN . '-01'];
        yield 'zero trace id' => ['00-' . \str_repeat('0', 32) . '-' . self::SPAN . '-01'];
        yield 'zero span id' => ['00-' . self::TRACE . '-' . \str_repeat('0', 16) . '-01'];
        yield 'version ff' => ['ff-' . self::TRACE . '-' . self::SPAN . '-01'];
        yield 'short trace id' => ['00-' . \substr(self::TRACE, 1) . '-' . self::SPAN . '-01'];
        yield 'bad flags' => ['00-' . self::TRACE . '-' . self::SPAN . '-0g'];
        yield 'version 00 with extra fields' => [self::TRACEPARENT . '-extra'];
        yield 'trailing newline' => [self::TRACEPARENT . "\n"];
        yield 'not a string' => [42];
    }

    /**
     * @dataProvider invalid
     */
    public function testRefusesInvalidTraceparents(mixed $value): void
    {
        self::assertNull(TraceContext::fromHeaders($value === null ? ['x' => 'y'] : ['traceparent' => $value]));
    }

    public function testAcceptsAFutureVersionWithMoreFields(): void
    {
        $ctx = TraceContext::fromTraceparent('01-' . self::TRACE . '-' . self::SPAN . '-01-whatever');

        self::assertSame(self::TRACE, $ctx?->traceId);
        self::assertSame(self::TRACEPARENT, $ctx?->traceparent());
    }

    public function testChildKeepsTheTraceWithANewSpanId(): void
    {
        $parent = TraceContext::fromHeaders(['traceparent' => self::TRACEPARENT, 'tracestate' => 'a=1']);
        self::assertNotNull($parent);
        $child = $parent->child();

        self::assertSame(self::TRACE, $child->traceId);
        self::assertMatchesRegularExpression('/^[0-9a-f]{16}$/', $child->spanId);
        self::assertNotSame(self::SPAN, $child->spanId);
        self::assertSame(self::SPAN, $child->parentSpanId);
        self::assertSame('a=1', $child->traceState);
        self::assertSame(1, $child->traceFlags);
        self::assertSame('00-' . self::TRACE . '-' . $child->spanId . '-01', $child->traceparent());
        self::assertSame(['traceparent' => $child->traceparent(), 'tracestate' => 'a=1'], $child->headers());
        self::assertNotSame($child->spanId, $parent->child()->spanId);
        // The child's traceparent is itself a valid one: the next hop can continue from it.
        self::assertSame($child->spanId, TraceContext::fromHeaders($child->headers())?->spanId);
    }

    public function testRootStartsANewTrace(): void
    {
        $root = TraceContext::root();

        self::assertMatchesRegularExpression('/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/', $root->traceparent());
        self::assertNull($root->parentSpanId);
        self::assertSame(['traceparent' => $root->traceparent()], $root->headers());
        self::assertNotSame($root->traceId, TraceContext::root()->traceId);
        self::assertStringEndsWith('-00', TraceContext::root(false)->traceparent());
    }
}
