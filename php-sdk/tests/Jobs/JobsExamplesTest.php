<?php

declare(strict_types=1);

namespace RR\Tests\Jobs;

use PHPUnit\Framework\TestCase;
use RR\Goridge\Frame;
use RR\Tests\Support\Frames;
use RR\Tests\Support\JobsWire;
use RR\Tests\Support\Process;
use RR\Tests\Support\Servers;

/**
 * examples/jobs-consumer.php and examples/jobs-push.php as real processes, with the test playing
 * rr: the jobs pool on the worker's pipes, the RPC server on RR_RPC.
 */
final class JobsExamplesTest extends TestCase
{
    private const CONSUMER = __DIR__ . '/../../examples/jobs-consumer.php';
    private const PUSH = __DIR__ . '/../../examples/jobs-push.php';
    private const UUID4 = '/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/';

    private Servers $servers;

    private string $log;

    protected function setUp(): void
    {
        $this->servers = new Servers();
        $this->log = \sys_get_temp_dir() . '/rr-php-sdk-jobs-' . \bin2hex(\random_bytes(6)) . '.log';
    }

    protected function tearDown(): void
    {
        $this->servers->close();
        @\unlink($this->log);
    }

    public function testTheConsumerAnswersAsThePayloadSaysAndLogsEveryDelivery(): void
    {
        $worker = new Process(self::CONSUMER, [], ['RR_RELAY' => 'pipes', 'JOBS_LOG' => $this->log]);
        \fwrite($worker->stdin(), Frames::control('{"pid":1}'));
        self::assertSame(Frame::CONTROL, Frames::readOne($worker->stdout())->flags);

        $cases = [
            ['{"do":"ack"}', '{"type":2,"data":[]}'],
            ['{"do":"nack"}', '{"type":3,"data":{"message":"nacked by the payload","requeue":false,"delay_seconds":0}}'],
            ['{"do":"nack-requeue","delay":2}', '{"type":3,"data":{"message":"nacked for redelivery by the payload","requeue":true,"delay_seconds":2}}'],
            ['{"do":"requeue","delay":1}', '{"type":4,"data":{"message":"requeued by the payload","delay_seconds":1,"headers":{"x-rr-attempts":["2"],"x-requeues":["1"]}}}'],
            ['{"do":"fail"}', '{"type":1,"data":{"message":"failed by the payload","requeue":false,"delay_seconds":0,"headers":{"x-rr-attempts":["2"]}}}'],
            ['{"do":"fail","requeue":true,"delay":3}', '{"type":1,"data":{"message":"failed by the payload","requeue":true,"delay_seconds":3,"headers":{"x-rr-attempts":["2"],"x-requeues":["1"]}}}'],
            ['{"do":"fly"}', '{"type":3,"data":{"message":"unknown do: fly","requeue":false,"delay_seconds":0}}'],
            ['not json', '{"type":2,"data":[]}'],
        ];
        foreach ($cases as $i => [$payload, $answer]) {
            \fwrite($worker->stdin(), self::delivery("id-$i", $payload, ['x-rr-attempts' => ['2']]));
            $response = Frames::readOne($worker->stdout());
            self::assertSame([0, [0], $answer], [$response->flags, $response->options, $response->payload], $payload);
        }

        // "times" bounds requeues through the x-requeues header the requeued copy carries.
        foreach ([['0', '{"type":4,"data":{"message":"requeued by the payload","delay_seconds":0,"headers":{"x-requeues":["1"]}}}'], ['1', '{"type":2,"data":[]}']] as [$seen, $answer]) {
            $headers = $seen === '0' ? null : ['x-requeues' => [$seen]];
            \fwrite($worker->stdin(), self::delivery('bounded', '{"do":"requeue","times":1}', $headers));
            self::assertSame($answer, Frames::readOne($worker->stdout())->payload);
        }

        $started = \microtime(true);
        \fwrite($worker->stdin(), self::delivery('slow', '{"do":"sleep","ms":150}', null));
        self::assertSame('{"type":2,"data":[]}', Frames::readOne($worker->stdout())->payload);
        self::assertGreaterThanOrEqual(0.15, \microtime(true) - $started);

        \fwrite($worker->stdin(), Frames::request('{"job":"no id"}', ''));
        $error = Frames::readOne($worker->stdout());
        self::assertSame(Frame::ERROR, $error->flags, 'an undecodable delivery gets a worker error');
        self::assertSame('Task header has no "id" (a non-empty string), got null', $error->payload);

        \fwrite($worker->stdin(), Frames::control('{"stop":true}'));
        [$code, $out, $err] = $worker->wait();
        self::assertSame(0, $code, $err);
        self::assertSame('', $out);
        self::assertStringContainsString('jobs-consumer: undecodable delivery', $err);

        $lines = \array_map(static fn (string $line): mixed => \json_decode($line, true), \file($this->log, \FILE_IGNORE_NEW_LINES) ?: []);
        self::assertCount(11, $lines);
        self::assertSame(['id' => 'id-2', 'name' => 'App\\Job', 'pipeline' => 'pipe', 'attempt' => 2, 'pid' => $lines[0]['pid'], 'do' => 'nack-requeue'], $lines[2]);
        self::assertSame(['id' => 'slow', 'name' => 'App\\Job', 'pipeline' => 'pipe', 'attempt' => 0, 'pid' => $lines[0]['pid'], 'do' => 'sleep'], $lines[10]);
        self::assertSame('ack', $lines[7]['do'], 'a payload that is not JSON is acked');
        self::assertIsInt($lines[0]['pid']);
    }

    public function testACrashLogsTheDeliveryAndExitsWithoutAnswering(): void
    {
        $worker = new Process(self::CONSUMER, [], ['RR_RELAY' => 'pipes', 'JOBS_LOG' => $this->log]);
        $pid = $worker->pid();
        \fwrite($worker->stdin(), self::delivery('c', '{"do":"crash"}', null));

        [$code, $out] = $worker->wait();

        self::assertSame(3, $code);
        self::assertSame('', $out, 'no response frame');
        self::assertSame('{"id":"c","name":"App\\\\Job","pipeline":"pipe","attempt":0,"pid":' . $pid . ',"do":"crash"}', \trim((string) \file_get_contents($this->log)));
    }

    public function testPushSendsOneJobsPushPerJob(): void
    {
        [$server, $address] = $this->servers->tcp();
        $push = new Process(self::PUSH, ['emails', '2', '{"do":"nack"}', '--priority', '3', '--delay', '4', '--header', 'tenant=acme', '--header', 'tenant=b=c', '--name', 'App\\Mail'], ['RR_RPC' => $address]);

        $conn = Servers::accept($server);
        $ids = [];
        foreach ([1, 2] as $seq) {
            $body = self::expect($conn, $seq, 'jobs.Push', null, '');
            self::assertSame(1, \preg_match('/\x12\x24([0-9a-f-]{36})/', $body, $m));
            $ids[] = $m[1];
            self::assertSame(\bin2hex(JobsWire::push(JobsWire::job('App\\Mail', $m[1], '{"do":"nack"}', ['tenant' => ['acme', 'b=c']], JobsWire::options('emails', 3, 4)))), \bin2hex($body));
        }

        [$code, $out, $err] = $push->wait();
        self::assertSame(0, $code, $err);
        self::assertSame(\json_encode($ids) . "\n", $out);
        self::assertMatchesRegularExpression(self::UUID4, $ids[0]);
    }

    public function testPushWithBatchSendsOneJobsPushBatch(): void
    {
        [$server, $address] = $this->servers->unix();
        $push = new Process(self::PUSH, ['push', 'bulk', '3', '--batch', '--auto-ack'], ['RR_RPC' => $address]);

        $conn = Servers::accept($server);
        $body = self::expect($conn, 1, 'jobs.PushBatch', null, '');
        self::assertSame(3, \preg_match_all('/\x12\x24([0-9a-f-]{36})/', $body, $m));

        [$code, $out, $err] = $push->wait();
        self::assertSame(0, $code, $err);
        self::assertSame($m[1], \json_decode($out, true));
        $job = static fn (string $id): string => JobsWire::job('rr.test', $id, '{"do":"ack"}', [], JobsWire::options('bulk', autoAck: true));
        self::assertSame(\bin2hex(JobsWire::pushBatch(...\array_map($job, $m[1]))), \bin2hex($body));
    }

    /**
     * @return iterable<string, array{list<string>, string, string, string, string}>
     */
    public function commands(): iterable
    {
        yield 'list' => [['list'], 'jobs.List', '', JobsWire::pipelines('a', 'b'), '["a","b"]'];
        yield 'pause' => [['pause', 'a', 'b'], 'jobs.Pause', JobsWire::pipelines('a', 'b'), '', 'true'];
        yield 'resume' => [['resume', 'a'], 'jobs.Resume', JobsWire::pipelines('a'), '', 'true'];
        yield 'destroy' => [['destroy', 'a', 'gone'], 'jobs.Destroy', JobsWire::pipelines('a', 'gone'), JobsWire::pipelines('a'), '["a"]'];
        yield 'stat' => [
            ['stat'],
            'jobs.Stat',
            '',
            JobsWire::stats(JobsWire::stat('a', 'memory', '', 3, 1, 0, true, 10)),
            '[{"pipeline":"a","driver":"memory","queue":"","active":3,"delayed":1,"reserved":0,"ready":true,"priority":10}]',
        ];
        yield 'declare' => [
            ['declare', '{"driver":"memory","name":"fresh","priority":5,"prefetch":"100","durable":true,"tags":["x"]}'],
            'jobs.Declare',
            JobsWire::declare(['name' => 'fresh', 'driver' => 'memory', 'priority' => '5', 'prefetch' => '100', 'durable' => 'true', 'tags' => '["x"]']),
            '',
            'true',
        ];
    }

    /**
     * @dataProvider commands
     *
     * @param list<string> $args
     */
    public function testCommandsPrintJson(array $args, string $method, string $body, string $reply, string $printed): void
    {
        [$server, $address] = $this->servers->tcp();
        $command = new Process(self::PUSH, $args, ['RR_RPC' => $address]);

        self::expect(Servers::accept($server), 1, $method, $body, $reply);

        [$code, $out, $err] = $command->wait();
        self::assertSame(0, $code, $err);
        self::assertSame($printed . "\n", $out);
    }

    public function testAnRrErrorPrintsAnErrorLine(): void
    {
        [$server, $address] = $this->servers->tcp();
        $command = new Process(self::PUSH, ['nope', '1'], ['RR_RPC' => $address]);

        $conn = Servers::accept($server);
        $request = Frames::readOne($conn);
        \fwrite($conn, Frame::pack(new Frame("jobs.PushRR_ERR_JOBS_NO_SUCH_PIPELINE: no such pipeline, requested: nope\nsecond line", [$request->options[0], 9], Frame::CODEC_PROTO | Frame::ERROR)));

        [$code, $out, $err] = $command->wait();
        self::assertSame(2, $code, $err);
        self::assertSame("ERROR RR\\Jobs\\Exception\\JobsException Error 'RR_ERR_JOBS_NO_SUCH_PIPELINE: no such pipeline, requested: nope second line' on $address\n", $out);
    }

    public function testBadUsageSendsNothing(): void
    {
        $runs = [];
        foreach ([
            [[], 'push needs <pipeline> <count> [<payload json>]'],
            [['p', 'two'], "count must be a whole number, got 'two'"],
            [['p', '0'], 'count must be 1 or more'],
            [['p', '1', '{bad'], 'the payload must be JSON: Syntax error'],
            [['p', '1', '--priority', '-1'], "--priority must be a whole number, got '-1'"],
            [['p', '1', '--delay'], '--delay must be a whole number, got nothing'],
            [['p', '1', '--header', 'novalue'], '--header needs <name>=<value>'],
            [['p', '1', '--fast'], 'unknown option --fast'],
            [['list', 'x'], 'list takes no arguments'],
            [['pause'], 'pause needs pipeline names'],
            [['declare', '{"name":"x"}'], 'declare needs one JSON object with string "driver" and "name"'],
        ] as [$args, $problem]) {
            // An address nobody listens on: nothing may be sent anyway. Started together, collected below.
            $runs[] = [$args, $problem, new Process(self::PUSH, $args, ['RR_RPC' => 'tcp://127.0.0.1:1'])];
        }
        foreach ($runs as [$args, $problem, $process]) {
            [$code, $out, $err] = $process->wait();
            self::assertSame(64, $code, \implode(' ', $args) . ': ' . $err);
            self::assertSame('', $out);
            self::assertStringStartsWith($problem . "\nusage: php jobs-push.php", $err);
        }
    }

    /**
     * @param array<string, list<string>>|null $headers
     */
    private static function delivery(string $id, string $payload, ?array $headers): string
    {
        $context = ['id' => $id, 'job' => 'App\\Job', 'driver' => 'memory', 'headers' => $headers, 'pipeline' => 'pipe'];

        return Frames::request(\json_encode($context, \JSON_THROW_ON_ERROR), $payload);
    }

    /**
     * Reads the next request, checks it and answers it.
     *
     * @param resource $conn
     *
     * @return string the request body
     */
    private static function expect($conn, int $seq, string $method, ?string $body, string $reply): string
    {
        $request = Frames::readOne($conn);
        self::assertSame(Frame::CODEC_PROTO, $request->flags, $method);
        self::assertSame([$seq, \strlen($method)], $request->options, $method);
        self::assertStringStartsWith($method, (string) $request->payload);
        $sent = (string) \substr((string) $request->payload, \strlen($method));
        if ($body !== null) {
            self::assertSame(\bin2hex($body), \bin2hex($sent), $method);
        }
        \fwrite($conn, Frame::pack(new Frame($method . $reply, [$seq, \strlen($method)], Frame::CODEC_PROTO)));

        return $sent;
    }
}
