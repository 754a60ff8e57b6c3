<?php

declare(strict_types=1);

namespace RR\Tests\Metrics;

use PHPUnit\Framework\TestCase;
use RR\Metrics\Collector;
use RR\Metrics\CollectorInterface;
use RR\Metrics\CollectorType;

final class CollectorTest extends TestCase
{
    public function testEachTypeHasTheOfficialShape(): void
    {
        $shape = ['namespace' => '', 'subsystem' => '', 'type' => '', 'help' => '', 'labels' => [], 'buckets' => []];

        self::assertSame(CollectorType::Counter, Collector::counter()->type);
        self::assertSame(\array_replace($shape, ['type' => 'counter']), Collector::counter()->toArray());
        self::assertSame(\array_replace($shape, ['type' => 'gauge']), Collector::gauge()->toArray());
        self::assertSame(\array_replace($shape, ['type' => 'summary']), Collector::summary()->toArray());
        self::assertSame(\array_replace($shape, ['type' => 'histogram', 'buckets' => [0.1, 1.0, 5.0]]), Collector::histogram(0.1, 1, 5)->toArray());
        self::assertSame(CollectorType::Histogram, Collector::histogram()->type);
        self::assertSame(['histogram', 'gauge', 'counter', 'summary'], \array_column(CollectorType::cases(), 'value'));
    }

    public function testWithersReturnCopies(): void
    {
        $counter = Collector::counter();
        $named = $counter->withNamespace('app')->withSubsystem('http')->withHelp('Requests')->withLabels('route', 'code');

        self::assertInstanceOf(CollectorInterface::class, $named);
        self::assertSame(['namespace' => 'app', 'subsystem' => 'http', 'type' => 'counter', 'help' => 'Requests', 'labels' => ['route', 'code'], 'buckets' => []], $named->toArray());
        self::assertSame('', $counter->toArray()['namespace']);
        self::assertSame([], $counter->toArray()['labels']);
        self::assertSame(['x'], $named->withLabels('x')->toArray()['labels']);
        self::assertSame(['route', 'code'], $named->toArray()['labels']);
    }

    public function testJsonSerializesAsToArray(): void
    {
        $collector = Collector::histogram(0.5, 1.5)->withNamespace('app')->withLabels('route');

        self::assertSame('{"namespace":"app","subsystem":"","type":"histogram","help":"","labels":["route"],"buckets":[0.5,1.5]}', \json_encode($collector));
        self::assertSame($collector->toArray(), $collector->jsonSerialize());
    }

    public function testSummaryObjectivesAreKeyedByQuantileStrings(): void
    {
        $summary = Collector::summary(['0.5' => 0.05, 0 => 0.1, 1 => 0, '0.99' => 0.001, '1e-3' => 0.0001]);

        self::assertSame(['0.5' => 0.05, '0.0' => 0.1, '1.0' => 0.0, '0.99' => 0.001, '0.001' => 0.0001], $summary->toArray()['objectives']);
        // A lone quantile 0 would otherwise make a JSON list.
        self::assertSame('{"0.0":0.5}', \json_encode(Collector::summary([0 => 0.5])->toArray()['objectives']));
        self::assertSame($summary->toArray()['objectives'], $summary->withHelp('h')->toArray()['objectives']);
    }

    /**
     * @return iterable<string, array{array<array-key, mixed>, string}>
     */
    public function badObjectives(): iterable
    {
        yield 'quantile above 1' => [['1.5' => 0.1], 'A summary objective is keyed by a quantile between 0 and 1, got "1.5"'];
        yield 'negative quantile' => [['-0.1' => 0.1], 'A summary objective is keyed by a quantile between 0 and 1, got "-0.1"'];
        yield 'not a number' => [['p50' => 0.1], 'A summary objective is keyed by a quantile between 0 and 1, got "p50"'];
        yield 'error not a number' => [['0.5' => '0.05'], 'The allowed error of quantile 0.5 must be a number, got string'];
    }

    /**
     * @dataProvider badObjectives
     *
     * @param array<array-key, mixed> $objectives
     */
    public function testSummaryRefusesBadObjectives(array $objectives, string $message): void
    {
        $this->expectException(\InvalidArgumentException::class);
        $this->expectExceptionMessage($message);
        Collector::summary($objectives);
    }
}
