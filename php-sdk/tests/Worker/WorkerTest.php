<?php

declare(strict_types=1);

namespace RR\Tests\Worker;

use PHPUnit\Framework\TestCase;
use RR\Goridge\Exception\HeaderException;
use RR\Goridge\Frame;
use RR\Goridge\Relay;
use RR\Goridge\RelayInterface;
use RR\Goridge\SocketRelay;
use RR\Goridge\StreamRelay;
use RR\Tests\Support\Fork;
use RR\Tests\Support\Frames;
use RR\Tests\Support\Servers;
use RR\Tests\Support\Vectors;
use RR\Worker\Environment;
use RR\Worker\Exception\RoadRunnerException;
use RR\Worker\Exception\StreamStoppedException;
use RR\Worker\Payload;
use RR\Worker\Worker;

/**
 * The worker loop over a socket pair (pipes relay) or a Unix socket (socket relay), with the test
 * playing the server.
 */
final class WorkerTest extends TestCase
{
    /** @var resource the server's end */
    private $server;

    private Servers $servers;

    /** @var list<resource> */
    private array $streams = [];

    protected function setUp(): void
    {
        $this->servers = new Servers();
    }

    protected function tearDown(): void
    {
        foreach ($this->streams as $stream) {
            if (\is_resource($stream)) {
                \fclose($stream);
            }
        }
        $this->streams = [];
        $this->servers->close();
    }

    public function testAnswersThePidRequestWithAControlOnlyFrame(): void
    {
        $worker = $this->pipesWorker();
        $this->serverSends(Vectors::bytes('pid-request') . Vectors::bytes('request-raw'));

        $payload = $worker->waitPayload();

        self::assertNotNull($payload);
        $reply = \sprintf('{"pid":%d}', \getmypid());
        self::assertSame(\bin2hex(Frame::pack(new Frame($reply, [], Frame::CONTROL))), \bin2hex($this->serverReceives()));
        // The same layout as the golden PHP reply: byte0 0x13 (no options), flags 0x01.
        self::assertSame('1301', \bin2hex(\substr(Vectors::bytes('pid-reply'), 0, 2)));
    }

    public function testSplitsTheRequestIntoContextAndBody(): void
    {
        $worker = $this->pipesWorker();
        $this->serverSends(Vectors::bytes('request-raw'));

        $payload = $worker->waitPayload();

        self::assertNotNull($payload);
        self::assertSame('{"a":1}', $payload->header);
        self::assertSame('hello', $payload->body);
        self::assertTrue($payload->eos);
    }

    public function testRespondsWithContextLengthOptionAndContextThenBody(): void
    {
        $worker = $this->pipesWorker();

        $worker->respond(new Payload('world', '{"b":2}'));
        $worker->respond(new Payload('proto', "\x0a\x01", true), Frame::CODEC_PROTO);

        self::assertSame(
            \bin2hex(
                Frame::pack(new Frame('{"b":2}world', [7], 0))
                . Frame::pack(new Frame("\x0a\x01proto", [2], Frame::CODEC_PROTO)),
            ),
            \bin2hex($this->serverReceives()),
        );
    }

    public function testAStreamChunkWithEmptyContextMatchesTheGoldenFrame(): void
    {
        $this->pipesWorker()->respond(new Payload('hi', null, false));

        self::assertSame(\bin2hex(Vectors::bytes('stream-chunk')), \bin2hex($this->serverReceives()));
    }

    public function testErrorSendsAnErrorFrameWithoutOptions(): void
    {
        $this->pipesWorker()->error('oops');

        self::assertSame(\bin2hex(Vectors::bytes('worker-error')), \bin2hex($this->serverReceives()));
    }

    public function testStopAsksForReplacementWithAStopContextAndEmptyBody(): void
    {
        $this->pipesWorker()->stop();

        $frames = Frames::split($this->serverReceives());
        self::assertCount(1, $frames);
        self::assertSame(0, $frames[0]->flags);
        self::assertSame(0, $frames[0]->byte10);
        self::assertSame([13], $frames[0]->options);
        self::assertSame('{"stop":true}', $frames[0]->payload);
    }

    public function testReturnsNullWhenTheServerStopsTheWorker(): void
    {
        $worker = $this->pipesWorker();
        $this->serverSends(Vectors::bytes('pid-request') . Vectors::bytes('stop'));

        self::assertNull($worker->waitPayload());
        self::assertCount(1, Frames::split($this->serverReceives()), 'only the pid reply, nothing answers the stop');
    }

    public function testSkipsStopAndPongFramesWhileIdle(): void
    {
        $worker = $this->pipesWorker();
        $this->serverSends(Vectors::bytes('stream-stop') . Vectors::bytes('pong') . Vectors::bytes('request-raw'));

        $payload = $worker->waitPayload();

        self::assertNotNull($payload);
        self::assertSame('hello', $payload->body);
        self::assertSame('', $this->serverReceives(), 'nothing is answered');
    }

    public function testAssemblesFramesThatArriveOneByteAtATime(): void
    {
        $pair = $this->pair();
        $worker = new Worker(new StreamRelay($pair[0], $pair[0]), false);
        $bytes = Vectors::bytes('pid-request') . Vectors::bytes('request-raw') . Vectors::bytes('stop');

        $pid = Fork::run(static function () use ($pair, $bytes): void {
            foreach (\str_split($bytes) as $byte) {
                \fwrite($pair[1], $byte);
                \usleep(300);
            }
        });

        try {
            $payload = $worker->waitPayload();
            $stop = $worker->waitPayload();
        } finally {
            Fork::reap($pid);
        }

        self::assertNotNull($payload);
        self::assertSame('{"a":1}', $payload->header);
        self::assertSame('hello', $payload->body);
        self::assertNull($stop);
    }

    public function testACorruptedHeaderFailsWithTheOffendingBytes(): void
    {
        $worker = $this->pipesWorker();
        $bytes = Vectors::bytes('request-raw');
        $bytes[1] = "\x08"; // flags changed, CRC no longer matches
        $this->serverSends($bytes);

        $this->expectException(HeaderException::class);
        $this->expectExceptionMessage('[14 08 0c 00 00 00 56 f8 d3 96 00 00]');

        $worker->waitPayload();
    }

    /**
     * @return iterable<string, array{string, string}>
     */
    public function invalidControls(): iterable
    {
        yield 'unknown command' => ['{"foo":1}', 'Invalid task header, undefined control package'];
        yield 'zero pid' => ['{"pid":0}', 'Invalid task header, undefined control package'];
        yield 'not JSON' => ['pid', 'Invalid task header, JSON payload is expected'];
        yield 'JSON scalar' => ['true', 'Invalid task header, JSON payload is expected'];
    }

    /**
     * @dataProvider invalidControls
     */
    public function testRejectsAnInvalidControlFrame(string $json, string $message): void
    {
        $worker = $this->pipesWorker();
        $this->serverSends(Frames::control($json));

        $this->expectException(RoadRunnerException::class);
        $this->expectExceptionMessage($message);

        $worker->waitPayload();
    }

    public function testRejectsADataFrameWithoutContextLength(): void
    {
        $worker = $this->pipesWorker();
        $this->serverSends(Frame::pack(new Frame('body', [], Frame::CODEC_RAW)));

        $this->expectException(RoadRunnerException::class);
        $this->expectExceptionMessage('Invalid data frame, option 0 (context length) is missing');

        $worker->waitPayload();
    }

    public function testRejectsAContextLengthBeyondThePayload(): void
    {
        $worker = $this->pipesWorker();
        $this->serverSends(Frame::pack(new Frame('body', [5], Frame::CODEC_RAW)));

        $this->expectException(RoadRunnerException::class);
        $this->expectExceptionMessage('context length 5 exceeds the payload of 4 bytes');

        $worker->waitPayload();
    }

    public function testStreamChunksCarryStreamAndThePingRidesOnTheChunkAfterEveryFive(): void
    {
        $worker = $this->pipesWorker();

        for ($i = 1; $i <= 6; ++$i) {
            $worker->respond(new Payload("c$i", '', false));
        }
        $this->serverSends(Vectors::bytes('pong'));
        for ($i = 7; $i <= 12; ++$i) {
            $worker->respond(new Payload("c$i", '', false));
        }
        $worker->respond(new Payload('end', '{}'));

        $frames = Frames::split($this->serverReceives());
        self::assertSame(
            [1, 1, 1, 1, 1, 5, 1, 1, 1, 1, 5, 1, 0],
            \array_map(static fn(Frame $f): int => $f->byte10, $frames),
            'STREAM on every chunk, PING on chunks 6 and 11, nothing on the final frame',
        );
        self::assertSame([0], $frames[0]->options);
        self::assertSame('c6', $frames[5]->payload);
        self::assertSame('{}end', $frames[12]->payload);
    }

    public function testDoesNotPingAgainUntilThePongArrived(): void
    {
        $worker = $this->pipesWorker();

        for ($i = 1; $i <= 16; ++$i) {
            $worker->respond(new Payload("c$i", '', false));
        }
        $worker->respond(new Payload(''));

        $byte10 = \array_map(static fn(Frame $f): int => $f->byte10, Frames::split($this->serverReceives()));
        self::assertSame(Frame::BYTE10_STREAM | Frame::BYTE10_PING, $byte10[5]);
        self::assertSame([5], \array_keys(\array_filter($byte10, static fn(int $b): bool => ($b & Frame::BYTE10_PING) !== 0)));
    }

    public function testALatePongIsConsumedByWaitPayloadAndANewStreamCountsAfresh(): void
    {
        $worker = $this->pipesWorker();
        for ($i = 1; $i <= 6; ++$i) {
            $worker->respond(new Payload("c$i", '', false));
        }
        $worker->respond(new Payload(''));

        $this->serverSends(Vectors::bytes('pong') . Vectors::bytes('request-raw'));
        self::assertNotNull($worker->waitPayload());

        for ($i = 1; $i <= 6; ++$i) {
            $worker->respond(new Payload("d$i", '', false));
        }
        $byte10 = \array_map(static fn(Frame $f): int => $f->byte10, Frames::split($this->serverReceives()));
        self::assertSame([1, 1, 1, 1, 1, 5, 0, 1, 1, 1, 1, 1, 5], $byte10);
    }

    public function testOnPipesAStopIsNoticedWhileWaitingForThePong(): void
    {
        $worker = $this->pipesWorker();
        $worker->respond(new Payload('c1', '', false));
        $worker->respond(new Payload('c2', '', false));
        $this->serverSends(Vectors::bytes('stream-stop'));

        for ($i = 3; $i <= 6; ++$i) {
            $worker->respond(new Payload("c$i", '', false)); // pipes are not polled until a PONG is due
        }

        try {
            $worker->respond(new Payload('c7', '', false));
            self::fail('expected the stream to be stopped');
        } catch (StreamStoppedException $e) {
            self::assertInstanceOf(RoadRunnerException::class, $e);
        }
        $worker->respond(new Payload(''));

        $frames = Frames::split($this->serverReceives());
        self::assertCount(7, $frames, 'six chunks and the final frame; c7 was not sent');
        self::assertSame('c6', $frames[5]->payload);
        self::assertSame(0, $frames[6]->byte10);
        self::assertSame([0], $frames[6]->options);
        self::assertSame('', $frames[6]->payload);
    }

    public function testOnSocketsAStopIsNoticedBeforeTheNextChunk(): void
    {
        $worker = $this->socketWorker();
        $worker->respond(new Payload('c1', '{"status":200}', false));
        $worker->respond(new Payload('c2', '', false));
        $this->serverSends(Vectors::bytes('stream-stop'));

        try {
            $worker->respond(new Payload('c3', '', false));
            self::fail('expected the stream to be stopped');
        } catch (StreamStoppedException) {
        }

        try {
            $worker->respond(new Payload('c4', '', false));
            self::fail('every further chunk is refused too');
        } catch (StreamStoppedException) {
        }

        $worker->respond(new Payload(''));
        $worker->respond(new Payload('next', '', false)); // a new stream is not affected

        $frames = Frames::split($this->serverReceives());
        self::assertSame(['{"status":200}c1', 'c2', '', 'next'], \array_map(static fn(Frame $f): ?string => $f->payload, $frames));
        self::assertSame([1, 1, 0, 1], \array_map(static fn(Frame $f): int => $f->byte10, $frames));
    }

    public function testOnSocketsThePongIsConsumedBeforeTheNextChunk(): void
    {
        $worker = $this->socketWorker();
        for ($i = 1; $i <= 6; ++$i) {
            $worker->respond(new Payload("c$i", '', false));
        }
        $this->serverSends(Vectors::bytes('pong'));
        for ($i = 7; $i <= 11; ++$i) {
            $worker->respond(new Payload("c$i", '', false));
        }
        $worker->respond(new Payload(''));

        $byte10 = \array_map(static fn(Frame $f): int => $f->byte10, Frames::split($this->serverReceives()));
        self::assertSame([1, 1, 1, 1, 1, 5, 1, 1, 1, 1, 5, 0], $byte10);
    }

    public function testFramesOtherThanPongAndStopFoundWhileStreamingWaitForWaitPayload(): void
    {
        $worker = $this->socketWorker();
        $worker->respond(new Payload('c1', '', false));
        $this->serverSends(Vectors::bytes('pid-request') . Vectors::bytes('request-raw') . Vectors::bytes('stop'));
        $worker->respond(new Payload('c2', '', false));
        $worker->respond(new Payload(''));

        $payload = $worker->waitPayload();
        self::assertNotNull($payload);
        self::assertSame('hello', $payload->body);
        self::assertNull($worker->waitPayload());

        $frames = Frames::split($this->serverReceives());
        self::assertSame(['c1', 'c2', '', \sprintf('{"pid":%d}', \getmypid())], \array_map(static fn(Frame $f): ?string => $f->payload, $frames));
    }

    public function testAStoppedStreamDoesNotLeakIntoTheNextRequest(): void
    {
        $worker = $this->socketWorker();
        $worker->respond(new Payload('c1', '', false));
        $this->serverSends(Vectors::bytes('stream-stop'));
        $worker->respond(new Payload('last', '')); // the final frame is still sent, and ends the stream

        $this->serverSends(Vectors::bytes('request-raw'));
        self::assertNotNull($worker->waitPayload());
        $worker->respond(new Payload('c1', '', false));

        $payloads = \array_map(static fn(Frame $f): ?string => $f->payload, Frames::split($this->serverReceives()));
        self::assertSame(['c1', 'last', 'c1'], $payloads);
    }

    public function testCreateFromEnvironmentUsesTheRelayAddress(): void
    {
        [, $address] = $this->servers->unix();

        $worker = Worker::createFromEnvironment(new Environment(['RR_RELAY' => $address]), false);

        $relay = $worker->getRelay();
        self::assertInstanceOf(SocketRelay::class, $relay);
        self::assertSame($address, (string) $relay);
        self::assertFalse($relay->isConnected(), 'the relay connects on first use');
    }

    public function testCreateReadsRrRelayFromTheProcessEnvironment(): void
    {
        [, $address] = $this->servers->tcp();
        $previous = $_SERVER['RR_RELAY'] ?? null;
        $_SERVER['RR_RELAY'] = $address;

        try {
            $relay = Worker::create(false)->getRelay();
        } finally {
            if ($previous === null) {
                unset($_SERVER['RR_RELAY']);
            } else {
                $_SERVER['RR_RELAY'] = $previous;
            }
        }

        self::assertInstanceOf(SocketRelay::class, $relay);
        self::assertSame($address, (string) $relay);
    }

    public function testInterceptingSideEffectsInstallsAnOutputBufferAndLogsToStderr(): void
    {
        $level = \ob_get_level();
        $errorLog = \ini_get('error_log');
        $display = \ini_get('display_errors');

        try {
            new Worker($this->relayOverPair(), true);

            self::assertSame($level + 1, \ob_get_level(), 'one output buffer forwards echo/print to stderr');
            self::assertSame(1, \ob_get_status()['chunk_size']);
            self::assertContains(\ini_get('error_log'), ['/dev/stderr', '']);
        } finally {
            while (\ob_get_level() > $level) {
                \ob_end_clean();
            }
            \ini_set('error_log', (string) $errorLog);
            \ini_set('display_errors', (string) $display);
        }
    }

    private function pipesWorker(): Worker
    {
        return new Worker($this->relayOverPair(), false);
    }

    private function relayOverPair(): RelayInterface
    {
        $pair = $this->pair();
        $this->server = $pair[1];

        return new StreamRelay($pair[0], $pair[0]);
    }

    private function socketWorker(): Worker
    {
        [$listener, $address] = $this->servers->unix();
        $relay = Relay::create($address);
        self::assertInstanceOf(SocketRelay::class, $relay);
        $relay->connect();
        $this->server = Servers::accept($listener);
        $this->streams[] = $this->server;

        return new Worker($relay, false);
    }

    /**
     * @return array{resource, resource}
     */
    private function pair(): array
    {
        $pair = \stream_socket_pair(\STREAM_PF_UNIX, \STREAM_SOCK_STREAM, \STREAM_IPPROTO_IP);
        self::assertIsArray($pair);
        \array_push($this->streams, ...$pair);

        return $pair;
    }

    private function serverSends(string $bytes): void
    {
        // On Unix sockets written bytes are readable by the peer as soon as fwrite() returns.
        \fwrite($this->server, $bytes);
    }

    private function serverReceives(): string
    {
        return Frames::drain($this->server);
    }
}
