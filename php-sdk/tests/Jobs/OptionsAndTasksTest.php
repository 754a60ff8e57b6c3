<?php

declare(strict_types=1);

namespace RR\Tests\Jobs;

use PHPUnit\Framework\TestCase;
use RR\Jobs\KafkaOptions;
use RR\Jobs\Options;
use RR\Jobs\OptionsInterface;
use RR\Jobs\Task\PreparedTask;

/**
 * Options and prepared tasks: immutable copies, the official merge rules, validation.
 */
final class OptionsAndTasksTest extends TestCase
{
    public function testWithMethodsReturnCopies(): void
    {
        $options = new Options();
        $changed = $options->withDelay(5)->withPriority(2)->withAutoAck(true)->withHeader('h', ['a', 'b']);

        self::assertSame([0, 0, false, []], [$options->getDelay(), $options->getPriority(), $options->getAutoAck(), $options->getHeaders()]);
        self::assertSame([5, 2, true, ['h' => ['a', 'b']]], [$changed->getDelay(), $changed->getPriority(), $changed->getAutoAck(), $changed->getHeaders()]);
        self::assertSame(['priority' => 2, 'delay' => 5, 'auto_ack' => true], $changed->toArray());
        self::assertSame('{"priority":2,"delay":5,"auto_ack":true}', \json_encode($changed));
        self::assertEquals(new Options(5, 2, true), Options::from($changed));
    }

    public function testMergeTakesWhatIsNotTheDefault(): void
    {
        $base = (new Options(10, 4, true))->withHeader('a', '1');

        self::assertSame($base, $base->mergeOptional(null));
        $merged = $base->merge(new Options(0, 7));
        self::assertSame([10, 7, true, ['a' => ['1']]], [$merged->getDelay(), $merged->getPriority(), $merged->getAutoAck(), $merged instanceof Options ? $merged->getHeaders() : null]);

        $merged = $base->merge((new Options())->withHeader('b', '2'));
        self::assertInstanceOf(Options::class, $merged);
        self::assertSame(['b' => ['2']], $merged->getHeaders(), 'headers are replaced, not added');

        $custom = new class () implements OptionsInterface {
            public function getDelay(): int
            {
                return 3;
            }

            public function getPriority(): int
            {
                return 0;
            }

            public function getAutoAck(): bool
            {
                return false;
            }
        };
        self::assertSame([3, 4, true], [$base->merge($custom)->getDelay(), $base->merge($custom)->getPriority(), $base->merge($custom)->getAutoAck()]);
    }

    public function testKafkaOptions(): void
    {
        $kafka = new KafkaOptions('t', 1, 2, true, 'meta', 3, 4);

        self::assertSame(['priority' => 2, 'delay' => 1, 'auto_ack' => true, 'topic' => 't', 'metadata' => 'meta', 'offset' => 3, 'partition' => 4], $kafka->toArray());
        self::assertSame('u', $kafka->withTopic('u')->getTopic());
        self::assertSame('t', $kafka->getTopic());
        self::assertSame('default', KafkaOptions::from(new Options(1))->getTopic());
        self::assertEquals($kafka, KafkaOptions::from($kafka));

        $merged = (new KafkaOptions('default'))->merge(new KafkaOptions('clicks', partition: 9));
        self::assertInstanceOf(KafkaOptions::class, $merged);
        self::assertSame(['clicks', '', 0, 9], [$merged->getTopic(), $merged->getMetadata(), $merged->getOffset(), $merged->getPartition()]);
    }

    public function testPreparedTasksAreImmutable(): void
    {
        $task = new PreparedTask('job', 'payload', new Options(1, 2), ['a' => ['1']]);

        $changed = $task->withDelay(9)->withPriority(8)->withAutoAck(true)->withAddedHeader('a', '2')->withHeader('b', [3])->withoutHeader('missing');

        self::assertSame([1, 2, false, ['a' => ['1']]], [$task->getDelay(), $task->getPriority(), $task->getAutoAck(), $task->getHeaders()]);
        self::assertSame([9, 8, true, ['a' => ['1', '2'], 'b' => ['3']]], [$changed->getDelay(), $changed->getPriority(), $changed->getAutoAck(), $changed->getHeaders()]);
        self::assertSame(['b' => ['3']], $changed->withoutHeader('a')->getHeaders());
        self::assertSame(['a' => ['1', '2'], 'b' => ['3']], $changed->getHeaders());
        self::assertSame('job', $changed->getName());
        self::assertSame('payload', $changed->getPayload());
        self::assertSame(9, $changed->getOptions()->getDelay());
        self::assertSame(5, $changed->withOptions(new Options(5))->getDelay());
        self::assertSame(9, $changed->getDelay());
    }

    public function testOptionsWithoutWithMethodsAreLeftAsTheyAre(): void
    {
        $fixed = new class () implements OptionsInterface {
            public function getDelay(): int
            {
                return 4;
            }

            public function getPriority(): int
            {
                return 5;
            }

            public function getAutoAck(): bool
            {
                return false;
            }
        };
        $task = new PreparedTask('job', '', $fixed);

        self::assertSame($task, $task->withDelay(1), 'as in the official client');
        self::assertSame(5, $task->withPriority(1)->getPriority());
    }

    /**
     * @return iterable<string, array{callable(): mixed}>
     */
    public function invalid(): iterable
    {
        yield 'negative delay' => [static fn () => new Options(-1)];
        yield 'negative priority' => [static fn () => (new Options())->withPriority(-1)];
        yield 'negative task delay' => [static fn () => (new PreparedTask('j', ''))->withDelay(-5)];
        yield 'empty job name' => [static fn () => new PreparedTask('', '')];
        yield 'empty header name' => [static fn () => (new Options())->withHeader('', 'x')];
        yield 'array header value' => [static fn () => (new PreparedTask('j', ''))->withHeader('h', [['nested']])];
        yield 'null header value' => [static fn () => (new PreparedTask('j', ''))->withAddedHeader('h', [null])];
        yield 'empty kafka topic' => [static fn () => new KafkaOptions('')];
        yield 'negative kafka partition' => [static fn () => (new KafkaOptions('t'))->withPartition(-1)];
    }

    /**
     * @dataProvider invalid
     *
     * @param callable(): mixed $call
     */
    public function testInvalidValuesAreRefused(callable $call): void
    {
        $this->expectException(\InvalidArgumentException::class);
        $call();
    }
}
