<?php

declare(strict_types=1);

namespace RR\Tests\Jobs;

use PHPUnit\Framework\TestCase;
use RR\Goridge\Exception\ServiceException;
use RR\Goridge\Frame;
use RR\Jobs\Exception\JobsException;
use RR\Jobs\Jobs;
use RR\Jobs\KafkaOptions;
use RR\Jobs\Options;
use RR\Jobs\Queue;
use RR\Jobs\Queue\AMQP\ExchangeType;
use RR\Jobs\Queue\AMQPCreateInfo;
use RR\Jobs\Queue\BoltdbCreateInfo;
use RR\Jobs\Queue\CreateInfo;
use RR\Jobs\Queue\CreateInfoInterface;
use RR\Jobs\Queue\Driver;
use RR\Jobs\Queue\GenericCreateInfo;
use RR\Jobs\Queue\MemoryCreateInfo;
use RR\Jobs\Queue\NatsCreateInfo;
use RR\Jobs\Stat;
use RR\Jobs\Task\QueuedTaskInterface;
use RR\Tests\Support\JobsWire;
use RR\Tests\Support\ScriptedRpc;

/**
 * Jobs and Queue over a scripted RPC client: the methods called, the codec, the exact jobs.v1
 * bytes, and how replies and errors come back.
 */
final class ProducerTest extends TestCase
{
    private const UUID4 = '/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/';

    private ScriptedRpc $rpc;

    private Jobs $jobs;

    protected function setUp(): void
    {
        // A JSON client, as applications create it: the jobs client switches to protobuf itself.
        $this->rpc = new ScriptedRpc();
        $this->jobs = new Jobs($this->rpc);
    }

    public function testDispatchPushesTheJobWithAFreshUuid(): void
    {
        $queue = $this->jobs->connect('emails');
        $task = $queue->create('App\\Job\\SendMail', '{"to":"ann"}')->withHeader('tenant', 'acme');

        $queued = $queue->dispatch($task);

        self::assertMatchesRegularExpression(self::UUID4, $queued->getId());
        self::assertSame('emails', $queued->getPipeline());
        self::assertSame('App\\Job\\SendMail', $queued->getName());
        self::assertSame('{"to":"ann"}', $queued->getPayload());
        self::assertSame(['tenant' => ['acme']], $queued->getHeaders());
        self::assertCall(0, 'jobs.Push', JobsWire::push(JobsWire::job('App\\Job\\SendMail', $queued->getId(), '{"to":"ann"}', ['tenant' => ['acme']], JobsWire::options('emails'))));

        self::assertNotSame($queued->getId(), $queue->dispatch($task)->getId(), 'every push gets its own id');
    }

    public function testTaskOptionsOverrideTheQueueDefaultsWhereTheyAreNotDefaults(): void
    {
        $defaults = (new Options(priority: 5, autoAck: true))->withHeader('from', 'defaults');
        $queue = $this->jobs->connect('q', $defaults);

        $queued = $queue->dispatch($queue->create('a', 'p', new Options(delay: 10))->withAddedHeader('from', 'task')->withHeader('none', []));
        self::assertCall(0, 'jobs.Push', JobsWire::push(JobsWire::job('a', $queued->getId(), 'p', ['from' => ['defaults', 'task']], JobsWire::options('q', 5, 10, true))));

        // Options with headers replace the defaults' headers; priority 0 is "not given" and keeps 5.
        $queued = $queue->dispatch($queue->create('b', '', (new Options(priority: 0, delay: 3))->withHeader('from', 'options')));
        self::assertCall(1, 'jobs.Push', JobsWire::push(JobsWire::job('b', $queued->getId(), '', ['from' => ['options']], JobsWire::options('q', 5, 3, true))));

        $task = $queue->create('c', new class () implements \Stringable {
            public function __toString(): string
            {
                return 'stringable';
            }
        })->withPriority(1)->withDelay(0)->withAutoAck(false);
        $queued = $queue->dispatch($task);
        self::assertSame('stringable', $queued->getPayload());
        self::assertCall(2, 'jobs.Push', JobsWire::push(JobsWire::job('c', $queued->getId(), 'stringable', ['from' => ['defaults']], JobsWire::options('q', 1))));
    }

    public function testWithDefaultOptionsReturnsACopy(): void
    {
        $queue = $this->jobs->connect('q');
        $slow = $queue->withDefaultOptions(new Options(delay: 60));

        self::assertSame(0, $queue->getDefaultOptions()->getDelay());
        self::assertSame(60, $slow->getDefaultOptions()->getDelay());
        self::assertSame(0, $slow->withDefaultOptions(null)->getDefaultOptions()->getDelay());
        self::assertSame(60, $slow->create('x')->getDelay());
        self::assertSame('q', $slow->getName());
    }

    public function testDispatchManySendsOneBatchInOrder(): void
    {
        $queue = $this->jobs->connect('bulk');

        $queued = [...$queue->dispatchMany($queue->create('a', '1'), $queue->create('b', '2', new Options(priority: 3)))];

        self::assertCount(2, $queued);
        self::assertContainsOnlyInstancesOf(QueuedTaskInterface::class, $queued);
        self::assertSame(['a', 'b'], [$queued[0]->getName(), $queued[1]->getName()]);
        self::assertNotSame($queued[0]->getId(), $queued[1]->getId());
        self::assertCall(0, 'jobs.PushBatch', JobsWire::pushBatch(
            JobsWire::job('a', $queued[0]->getId(), '1', [], JobsWire::options('bulk')),
            JobsWire::job('b', $queued[1]->getId(), '2', [], JobsWire::options('bulk', 3)),
        ));
        self::assertSame(['jobs.PushBatch'], $this->rpc->methods());
    }

    public function testKafkaOptionsAddTheirFields(): void
    {
        $queue = $this->jobs->create(new GenericCreateInfo('kafka', 'events', ['priority' => 1]));
        self::assertInstanceOf(KafkaOptions::class, $queue->getDefaultOptions(), 'the official OptionsFactory choice');

        $queued = $queue->dispatch($queue->create('e', 'x', new KafkaOptions('clicks', metadata: 'm', offset: 7, partition: 2)));

        self::assertCall(1, 'jobs.Push', JobsWire::push(JobsWire::job('e', $queued->getId(), 'x', [], JobsWire::options('events', 0, 0, false, 'clicks', 'm', 7, 2))));
    }

    /**
     * @return iterable<string, array{CreateInfoInterface, array<string, string>}>
     */
    public function createInfos(): iterable
    {
        yield 'generic' => [new CreateInfo(Driver::Beanstalk, 'b'), ['name' => 'b', 'driver' => 'beanstalk', 'priority' => '10']];
        yield 'memory' => [new MemoryCreateInfo('local', 3, 50), ['name' => 'local', 'driver' => 'memory', 'priority' => '3', 'prefetch' => '50']];
        yield 'boltdb' => [
            new BoltdbCreateInfo('disk', '/var/rr/jobs.db'),
            ['name' => 'disk', 'driver' => 'boltdb', 'priority' => '10', 'prefetch' => '10000', 'file' => '/var/rr/jobs.db', 'permissions' => '493'],
        ];
        yield 'nats' => [
            new NatsCreateInfo('n', 'sub.ject', 'stream', deleteAfterAck: true),
            [
                'name' => 'n', 'driver' => 'nats', 'priority' => '2', 'prefetch' => '100', 'subject' => 'sub.ject', 'deliver_new' => 'true',
                'rate_limit' => '100', 'stream' => 'stream', 'delete_stream_on_stop' => 'false', 'delete_after_ack' => 'true',
            ],
        ];
        yield 'amqp' => [
            new AMQPCreateInfo('rabbit', queue: 'jobs', exchangeType: ExchangeType::Topics, routingKey: 'a.*', durable: true, queueHeaders: ['x-max-priority' => '10'], consumerId: 'c1'),
            [
                'name' => 'rabbit', 'driver' => 'amqp', 'priority' => '10', 'prefetch' => '100', 'queue' => 'jobs', 'queue_auto_delete' => 'false',
                'exchange' => 'amqp.default', 'exchange_durable' => 'false', 'exchange_type' => 'topics', 'exchange_auto_delete' => 'false',
                'routing_key' => 'a.*', 'exclusive' => 'false', 'multiple_ack' => 'false', 'requeue_on_fail' => 'false', 'durable' => 'true',
                'delete_queue_on_stop' => 'false', 'redial_timeout' => '60', 'consumer_id' => 'c1', 'queue_headers' => '{"x-max-priority":"10"}',
            ],
        ];
        yield 'any driver, any options' => [
            new GenericCreateInfo('sqs', 'mail', ['queue' => 'mail', 'prefetch' => 10, 'visibility' => 1.5, 'attributes' => ['a' => 1], 'on' => false]),
            ['name' => 'mail', 'driver' => 'sqs', 'queue' => 'mail', 'prefetch' => '10', 'visibility' => '1.5', 'attributes' => '{"a":1}', 'on' => 'false'],
        ];
    }

    /**
     * @dataProvider createInfos
     *
     * @param array<string, string> $map
     */
    public function testCreateDeclaresThePipelineAsAStringMap(CreateInfoInterface $info, array $map): void
    {
        $queue = $this->jobs->create($info);

        self::assertSame($info->getName(), $queue->getName());
        self::assertCall(0, 'jobs.Declare', JobsWire::declare($map));
        self::assertSame($info->toArray(), $info->jsonSerialize());
    }

    public function testPauseAndResumeTakeNamesAndQueues(): void
    {
        $this->jobs->pause('a', $this->jobs->connect('b'), 'c');
        $this->jobs->resume($this->jobs->connect('a'));
        $queue = $this->jobs->connect('q');
        $queue->pause();
        $queue->resume();

        self::assertCall(0, 'jobs.Pause', JobsWire::pipelines('a', 'b', 'c'));
        self::assertCall(1, 'jobs.Resume', JobsWire::pipelines('a'));
        self::assertCall(2, 'jobs.Pause', JobsWire::pipelines('q'));
        self::assertCall(3, 'jobs.Resume', JobsWire::pipelines('q'));
    }

    public function testIteratingListsThePipelines(): void
    {
        $this->rpc->reply(JobsWire::pipelines('a', 'b'))->reply(JobsWire::pipelines('a', 'b', 'c'));

        $queues = \iterator_to_array($this->jobs);

        self::assertSame(['a', 'b'], \array_keys($queues));
        self::assertInstanceOf(Queue::class, $queues['b']);
        self::assertSame('b', $queues['b']->getName());
        self::assertCount(3, $this->jobs);
        self::assertCall(0, 'jobs.List', '');
        self::assertSame(['jobs.List', 'jobs.List'], $this->rpc->methods());
    }

    public function testIsPausedAndTheStatsComeFromJobsStat(): void
    {
        $stats = JobsWire::stats(
            JobsWire::stat('run', 'memory', '', 4, 1, 2, true, 10),
            JobsWire::stat('held', 'amqp', 'default', 0, 0, 0, false, 3),
        );
        for ($i = 0; $i < 5; ++$i) {
            $this->rpc->reply($stats);
        }

        self::assertFalse($this->jobs->connect('run')->isPaused());
        self::assertTrue($this->jobs->connect('held')->isPaused());
        self::assertFalse($this->jobs->connect('gone')->isPaused(), 'a pipeline rr does not list is not paused');
        self::assertEquals(new Stat('held', 'amqp', 'default', 0, 0, 0, false, 3), $this->jobs->connect('held')->getPipelineStat());
        self::assertEquals(
            [new Stat('run', 'memory', '', 4, 1, 2, true, 10), new Stat('held', 'amqp', 'default', 0, 0, 0, false, 3)],
            $this->jobs->stat(),
        );
        self::assertCall(4, 'jobs.Stat', '');
    }

    public function testDestroyReturnsWhatRrDestroyed(): void
    {
        $this->rpc->reply(JobsWire::pipelines('a'));

        self::assertSame(['a'], $this->jobs->destroy('a', $this->jobs->connect('b')));
        self::assertCall(0, 'jobs.Destroy', JobsWire::pipelines('a', 'b'));
    }

    public function testRrErrorsAreJobsExceptionsWithTheServiceExceptionAsPrevious(): void
    {
        $this->rpc->fail('RR_ERR_JOBS_NO_SUCH_PIPELINE: no such pipeline, requested: nope');

        try {
            $this->jobs->connect('nope')->push('a', 'b');
            self::fail('expected a JobsException');
        } catch (JobsException $e) {
            self::assertSame("Error 'RR_ERR_JOBS_NO_SUCH_PIPELINE: no such pipeline, requested: nope' on tcp://127.0.0.1:6001", $e->getMessage());
            $previous = $e->getPrevious();
            self::assertInstanceOf(ServiceException::class, $previous);
            self::assertSame('RR_ERR_JOBS_NO_SUCH_PIPELINE', $previous->getErrorCode());
        }

        foreach ([
            fn () => $this->jobs->pause('x'),
            fn () => $this->jobs->resume('x'),
            fn () => \iterator_to_array($this->jobs),
            fn () => $this->jobs->create(new MemoryCreateInfo('x')),
            fn () => $this->jobs->connect('x')->dispatchMany($this->jobs->connect('x')->create('a')),
            fn () => $this->jobs->connect('x')->isPaused(),
            fn () => $this->jobs->destroy('x'),
            fn () => $this->jobs->stat(),
        ] as $i => $call) {
            $this->rpc->fail("failure $i");
            try {
                $call();
                self::fail("call $i: expected a JobsException");
            } catch (JobsException $e) {
                self::assertStringContainsString("failure $i", $e->getMessage());
                self::assertInstanceOf(ServiceException::class, $e->getPrevious());
            }
        }
    }

    public function testAMapValueThatCannotBeAStringSendsNothing(): void
    {
        try {
            $this->jobs->create(new GenericCreateInfo('memory', 'x', ['handle' => null]));
            self::fail('expected a JobsException');
        } catch (JobsException $e) {
            self::assertSame('Can not cast to string unrecognized value of type null', $e->getMessage());
            self::assertInstanceOf(\InvalidArgumentException::class, $e->getPrevious());
        }
        self::assertSame([], $this->rpc->methods());
    }

    public function testAMalformedReplyIsAJobsException(): void
    {
        $this->rpc->reply("\x0a\x09short");

        $this->expectException(JobsException::class);
        $this->expectExceptionMessage('Invalid protobuf jobs.v1.Pipelines received from rr: 9 bytes needed at byte 2, 5 left');
        $this->jobs->count();
    }

    public function testEmptyNamesAreRefusedBeforeSending(): void
    {
        foreach ([
            fn () => $this->jobs->connect(''),
            fn () => $this->jobs->connect('q')->create(''),
            fn () => new MemoryCreateInfo(''),
            fn () => new MemoryCreateInfo('m', 0),
            fn () => new BoltdbCreateInfo('b', ''),
            fn () => new NatsCreateInfo('n', '', 's'),
            fn () => new AMQPCreateInfo('a', exchange: ''),
            fn () => new GenericCreateInfo('', 'x'),
            fn () => new GenericCreateInfo('memory', 'x', ['name' => 'y']),
        ] as $i => $call) {
            try {
                $call();
                self::fail("case $i: expected an InvalidArgumentException");
            } catch (\InvalidArgumentException) {
            }
        }
        self::assertSame([], $this->rpc->methods());
    }

    private function assertCall(int $index, string $method, string $body): void
    {
        $call = $this->rpc->calls[$index] ?? null;
        self::assertNotNull($call, "no call #$index");
        self::assertSame($method, $call['method']);
        self::assertSame(Frame::CODEC_PROTO, $call['codec'], $method);
        self::assertSame(\bin2hex($body), \bin2hex($call['body']), $method);
    }
}
