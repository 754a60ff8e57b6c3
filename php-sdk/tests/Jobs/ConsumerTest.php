<?php

declare(strict_types=1);

namespace RR\Tests\Jobs;

use PHPUnit\Framework\TestCase;
use RR\Goridge\Exception\TransportException;
use RR\Goridge\Frame;
use RR\Goridge\StreamRelay;
use RR\Jobs\Consumer;
use RR\Jobs\Exception\JobsException;
use RR\Jobs\Exception\ReceivedTaskException;
use RR\Jobs\Exception\SerializationException;
use RR\Jobs\Queue\Driver;
use RR\Jobs\Task\KafkaReceivedTask;
use RR\Jobs\Task\ReceivedTask;
use RR\Jobs\Task\ReceivedTaskInterface;
use RR\Tests\Support\Frames;
use RR\Tests\Support\Peer;
use RR\Worker\Worker;

/**
 * The consumer with our Worker over a socket pair (the pipes relay) and a Unix socket (the socket
 * relay), the test playing rr: delivery frames in, response frames out (PROTOCOL.md §6).
 */
final class ConsumerTest extends TestCase
{
    private const CONTEXT = [
        'id' => '0b0e5c1e-7c4a-4b7e-9f4e-6a2c1b3d4e5f',
        'job' => 'App\\Job\\SendMail',
        'driver' => 'amqp',
        'headers' => ['x-rr-attempts' => ['2'], 'tenant' => ['acme', 'beta']],
        'pipeline' => 'emails',
        'queue' => 'mail-queue',
    ];

    /** @var list<Peer> */
    private array $peers = [];

    protected function tearDown(): void
    {
        foreach ($this->peers as $peer) {
            $peer->close();
        }
        $this->peers = [];
    }

    /**
     * @return iterable<string, array{string}>
     */
    public function relays(): iterable
    {
        yield 'pipes' => ['pipes'];
        yield 'socket' => ['socket'];
    }

    /**
     * @dataProvider relays
     */
    public function testATaskCarriesTheDeliveryAndItsAckIsATypeTwoFrame(string $relay): void
    {
        [$consumer, $peer] = $this->consumer($relay);
        $peer->send(Frames::control('{"pid":1}') . self::delivery(self::CONTEXT, '{"to":"ann"}'));

        $task = $consumer->waitTask();

        self::assertInstanceOf(ReceivedTask::class, $task);
        self::assertSame(self::CONTEXT['id'], $task->getId());
        self::assertSame('App\\Job\\SendMail', $task->getName());
        self::assertSame('{"to":"ann"}', $task->getPayload());
        self::assertSame(Driver::AMQP, $task->getDriver());
        self::assertSame('emails', $task->getPipeline());
        self::assertSame('mail-queue', $task->getQueue());
        self::assertSame(self::CONTEXT['headers'], $task->getHeaders());
        self::assertSame(['acme', 'beta'], $task->getHeader('tenant'));
        self::assertSame('acme,beta', $task->getHeaderLine('tenant'));
        self::assertTrue($task->hasHeader('x-rr-attempts'));
        self::assertFalse($task->hasHeader('Tenant'), 'names are case-sensitive');
        self::assertSame([], $task->getHeader('missing'));
        self::assertSame('', $task->getHeaderLine('missing'));
        self::assertFalse($task->isCompleted());

        $frames = $peer->frames();
        self::assertCount(1, $frames, 'only the pid reply so far');
        self::assertSame(Frame::CONTROL, $frames[0]->flags);

        $task->ack();

        self::assertResponse('{"type":2,"data":[]}', $peer);
        self::assertTrue($task->isCompleted());
        self::assertTrue($task->isSuccessful());
        self::assertFalse($task->isFails());
    }

    /**
     * @return iterable<string, array{callable(ReceivedTaskInterface): void, string, bool}>
     */
    public function answers(): iterable
    {
        yield 'ack' => [static fn (ReceivedTaskInterface $t) => $t->ack(), '{"type":2,"data":[]}', true];
        yield 'complete (deprecated)' => [static fn (ReceivedTaskInterface $t) => $t->complete(), '{"type":0,"data":[]}', true];
        yield 'nack' => [static fn (ReceivedTaskInterface $t) => $t->nack('bad input'), '{"type":3,"data":{"message":"bad input","requeue":false,"delay_seconds":0}}', false];
        yield 'nack with redelivery and delay' => [
            static fn (ReceivedTaskInterface $t) => $t->withDelay(5)->nack('try later', true),
            '{"type":3,"data":{"message":"try later","requeue":true,"delay_seconds":5}}',
            false,
        ];
        yield 'requeue' => [
            static fn (ReceivedTaskInterface $t) => $t->requeue('again'),
            '{"type":4,"data":{"message":"again","delay_seconds":0,"headers":{"x-rr-attempts":["2"],"tenant":["acme","beta"]}}}',
            false,
        ];
        yield 'requeue with delay and changed headers' => [
            static fn (ReceivedTaskInterface $t) => $t->withHeader('x-rr-attempts', '3')->withoutHeader('tenant')->withAddedHeader('trace', ['a/b', 'é'])->withDelay(30)->requeue('again'),
            '{"type":4,"data":{"message":"again","delay_seconds":30,"headers":{"x-rr-attempts":["3"],"trace":["a\/b","\u00e9"]}}}',
            false,
        ];
        yield 'requeue without headers leaves them out' => [
            static fn (ReceivedTaskInterface $t) => $t->withoutHeader('x-rr-attempts')->withoutHeader('tenant')->requeue('again'),
            '{"type":4,"data":{"message":"again","delay_seconds":0}}',
            false,
        ];
        yield 'fail (deprecated)' => [
            static fn (ReceivedTaskInterface $t) => $t->withoutHeader('tenant')->fail('boom'),
            '{"type":1,"data":{"message":"boom","requeue":false,"delay_seconds":0,"headers":{"x-rr-attempts":["2"]}}}',
            false,
        ];
        yield 'fail with requeue and delay' => [
            static fn (ReceivedTaskInterface $t) => $t->withDelay(7)->withoutHeader('x-rr-attempts')->withoutHeader('tenant')->fail('boom', true),
            '{"type":1,"data":{"message":"boom","requeue":true,"delay_seconds":7}}',
            false,
        ];
        yield 'header names PHP makes integers stay a JSON object' => [
            static fn (ReceivedTaskInterface $t) => $t->withoutHeader('x-rr-attempts')->withoutHeader('tenant')->withHeader('0', 'zero')->requeue('x'),
            '{"type":4,"data":{"message":"x","delay_seconds":0,"headers":{"0":["zero"]}}}',
            false,
        ];
        yield 'invalid UTF-8 is replaced, not fatal' => [
            static fn (ReceivedTaskInterface $t) => $t->nack("bad \xff byte"),
            '{"type":3,"data":{"message":"bad \ufffd byte","requeue":false,"delay_seconds":0}}',
            false,
        ];
    }

    /**
     * @dataProvider answers
     *
     * @param callable(ReceivedTaskInterface): void $answer
     */
    public function testEveryAnswerIsOneFrameWithTheExactJson(callable $answer, string $json, bool $successful): void
    {
        [$consumer, $peer] = $this->consumer('pipes');
        $peer->send(self::delivery(self::CONTEXT, 'payload'));
        $task = $consumer->waitTask();
        self::assertNotNull($task);

        $answer($task);

        self::assertResponse($json, $peer);
        self::assertTrue($task->isCompleted(), 'the original knows when a copy answered');
        self::assertSame($successful, $task->isSuccessful());
        self::assertSame(!$successful, $task->isFails());
    }

    public function testAThrowableMessageIsItsStringWithTheTrace(): void
    {
        [$consumer, $peer] = $this->consumer('pipes');
        $peer->send(self::delivery(self::CONTEXT, ''));
        $task = $consumer->waitTask();
        self::assertNotNull($task);
        $error = new \RuntimeException('it broke');

        $task->nack($error);

        $frames = $peer->frames();
        self::assertCount(1, $frames);
        self::assertSame(
            ['type' => 3, 'data' => ['message' => (string) $error, 'requeue' => false, 'delay_seconds' => 0]],
            \json_decode((string) $frames[0]->payload, true),
        );
        self::assertStringContainsString('Stack trace:', (string) $error);
    }

    public function testOnlyTheFirstAnswerIsSentWhicheverCopyGivesIt(): void
    {
        [$consumer, $peer] = $this->consumer('pipes');
        $peer->send(self::delivery(self::CONTEXT, ''));
        $task = $consumer->waitTask();
        self::assertNotNull($task);
        $delayed = $task->withDelay(3);

        $delayed->requeue('later');
        $task->ack();
        $delayed->nack('again');
        $task->withHeader('a', 'b')->complete();

        self::assertCount(1, $peer->frames(), 'a second frame would answer the next job');
        self::assertTrue($task->isFails());
        self::assertFalse($task->isSuccessful());
    }

    public function testTasksAreTakenOneAfterTheOtherAndNullMeansStop(): void
    {
        [$consumer, $peer] = $this->consumer('socket');
        $peer->send(self::delivery(['id' => '1', 'job' => 'a', 'driver' => 'memory', 'headers' => null, 'pipeline' => 'p'], 'one'));

        $first = $consumer->waitTask();
        self::assertNotNull($first);
        self::assertSame(Driver::Memory, $first->getDriver());
        self::assertSame('unknown', $first->getQueue(), 'the memory driver sends no queue');
        self::assertSame([], $first->getHeaders());
        $first->ack();

        $peer->send(self::delivery(['id' => '2', 'job' => 'b', 'driver' => 'boltdb', 'headers' => [], 'pipeline' => 'p', 'queue' => 'q'], 'two'));
        $second = $consumer->waitTask();
        self::assertNotNull($second);
        self::assertSame('two', $second->getPayload());
        self::assertSame(Driver::BoltDB, $second->getDriver());
        $second->nack('no');

        $peer->send(Frames::control('{"stop":true}'));
        self::assertNull($consumer->waitTask());

        $frames = $peer->frames();
        self::assertCount(2, $frames);
        self::assertSame('{"type":2,"data":[]}', $frames[0]->payload);
        self::assertSame('{"type":3,"data":{"message":"no","requeue":false,"delay_seconds":0}}', $frames[1]->payload);
    }

    public function testAnUnansweredTaskIsNotAnsweredForTheApplication(): void
    {
        [$consumer, $peer] = $this->consumer('pipes');
        $peer->send(self::delivery(self::CONTEXT, '') . Frames::control('{"stop":true}'));

        $task = $consumer->waitTask();
        self::assertNotNull($task);
        self::assertNull($consumer->waitTask());
        unset($task);

        // As the official client ≥ 4.0: nothing is sent unasked (an answer sent on someone's
        // behalf would be taken for the answer to the next job if the application had answered
        // with $worker->error()).
        self::assertSame([], $peer->frames());
    }

    public function testKafkaDeliveriesHaveTheirPartitionAndOffset(): void
    {
        [$consumer, $peer] = $this->consumer('pipes');
        $peer->send(self::delivery(['id' => 'k', 'job' => 'j', 'driver' => 'kafka', 'pipeline' => 'p', 'queue' => 'topic-1', 'partition' => 3, 'offset' => 42, 'headers' => null], 'm'));

        $task = $consumer->waitTask();

        self::assertInstanceOf(KafkaReceivedTask::class, $task);
        self::assertSame(Driver::Kafka, $task->getDriver());
        self::assertSame('topic-1', $task->getQueue());
        self::assertSame(3, $task->getPartition());
        self::assertSame(42, $task->getOffset());
    }

    public function testMissingOrUnknownFieldsGetTheOfficialDefaults(): void
    {
        [$consumer, $peer] = $this->consumer('pipes');
        $peer->send(self::delivery(['id' => 'i', 'job' => 'j', 'driver' => 'beanstalk-ng', 'headers' => ['single' => 'value', 'n' => [1, 2.5]]], ''));

        $task = $consumer->waitTask();

        self::assertNotNull($task);
        self::assertSame(Driver::Unknown, $task->getDriver());
        self::assertSame('unknown', $task->getPipeline());
        self::assertSame('unknown', $task->getQueue());
        self::assertSame('', $task->getPayload());
        self::assertSame(['single' => ['value'], 'n' => ['1', '2.5']], $task->getHeaders());
    }

    /**
     * @return iterable<string, array{string, class-string<\Throwable>, string}>
     */
    public function badContexts(): iterable
    {
        yield 'empty' => ['', ReceivedTaskException::class, 'Task payload does not have a valid header.'];
        yield 'not JSON' => ['{"id":', SerializationException::class, 'Syntax error'];
        yield 'not an object' => ['"text"', ReceivedTaskException::class, 'Task header must be a JSON object, got string'];
        yield 'no id' => ['{"job":"j"}', ReceivedTaskException::class, 'Task header has no "id" (a non-empty string), got null'];
        yield 'numeric job' => ['{"id":"i","job":5}', ReceivedTaskException::class, 'Task header has no "job" (a non-empty string), got int'];
        yield 'headers a list of objects' => ['{"id":"i","job":"j","headers":{"h":[{"a":1}]}}', ReceivedTaskException::class, 'Task header "h" must hold strings, got array'];
        yield 'headers a string' => ['{"id":"i","job":"j","headers":"h"}', ReceivedTaskException::class, 'Task header "headers" must be an object, got string'];
    }

    /**
     * @dataProvider badContexts
     *
     * @param class-string<\Throwable> $class
     */
    public function testABadContextThrowsWithoutAnswering(string $context, string $class, string $message): void
    {
        [$consumer, $peer] = $this->consumer('pipes');
        $peer->send(Frames::request($context, 'body'));

        try {
            $consumer->waitTask();
            self::fail('expected ' . $class);
        } catch (JobsException $e) {
            self::assertInstanceOf($class, $e);
            self::assertStringContainsString($message, $e->getMessage());
        }
        self::assertSame([], $peer->frames(), 'the application answers it, e.g. with $worker->error()');
    }

    public function testAnAnswerThatCannotBeSentIsAJobsException(): void
    {
        $pair = \stream_socket_pair(\STREAM_PF_UNIX, \STREAM_SOCK_STREAM, \STREAM_IPPROTO_IP);
        self::assertIsArray($pair);
        $consumer = new Consumer(new Worker(new StreamRelay($pair[0], $pair[0]), false));
        \fwrite($pair[1], self::delivery(self::CONTEXT, ''));
        $task = $consumer->waitTask();
        self::assertNotNull($task);
        \fclose($pair[1]);

        try {
            $task->ack();
            self::fail('expected a JobsException');
        } catch (JobsException $e) {
            self::assertInstanceOf(TransportException::class, $e->getPrevious());
            self::assertSame($e->getPrevious()->getMessage(), $e->getMessage());
        } finally {
            \fclose($pair[0]);
        }
        self::assertFalse($task->isCompleted(), 'it was not answered');
    }

    public function testNegativeDelaysAreRefused(): void
    {
        [$consumer, $peer] = $this->consumer('pipes');
        $peer->send(self::delivery(self::CONTEXT, ''));
        $task = $consumer->waitTask();
        self::assertNotNull($task);

        $this->expectException(\InvalidArgumentException::class);
        $task->withDelay(-1);
    }

    /**
     * @return array{Consumer, Peer}
     */
    private function consumer(string $relay): array
    {
        $peer = $relay === 'socket' ? Peer::socket() : Peer::pipes();
        $this->peers[] = $peer;

        return [new Consumer($peer->worker), $peer];
    }

    /**
     * @param array<string, mixed> $context
     */
    private static function delivery(array $context, string $body): string
    {
        return Frames::request(\json_encode($context, \JSON_THROW_ON_ERROR), $body);
    }

    private static function assertResponse(string $json, Peer $peer): void
    {
        $frames = $peer->frames();
        self::assertCount(1, $frames);
        self::assertSame(0, $frames[0]->flags, 'no codec bit, as the official client sends it');
        self::assertSame(0, $frames[0]->byte10);
        self::assertSame([0], $frames[0]->options, 'an empty context');
        self::assertSame($json, $frames[0]->payload);
    }
}
