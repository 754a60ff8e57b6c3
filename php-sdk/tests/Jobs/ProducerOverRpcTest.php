<?php

declare(strict_types=1);

namespace RR\Tests\Jobs;

use PHPUnit\Framework\TestCase;
use RR\Goridge\Exception\ServiceException;
use RR\Goridge\Frame;
use RR\Goridge\RPC\Codec\JsonCodec;
use RR\Goridge\RPC\RPC;
use RR\Goridge\StreamRelay;
use RR\Jobs\Exception\JobsException;
use RR\Jobs\Jobs;
use RR\Tests\Support\Frames;
use RR\Tests\Support\JobsWire;

/**
 * The producer over the real RPC client, with the test playing rr on a socket pair: the frames on
 * the wire.
 */
final class ProducerOverRpcTest extends TestCase
{
    /** @var list<resource> */
    private array $streams = [];

    protected function tearDown(): void
    {
        foreach ($this->streams as $stream) {
            \fclose($stream);
        }
        $this->streams = [];
    }

    public function testSendsProtobufFramesAndReadsProtobufReplies(): void
    {
        $pair = \stream_socket_pair(\STREAM_PF_UNIX, \STREAM_SOCK_STREAM, \STREAM_IPPROTO_IP);
        self::assertIsArray($pair);
        \array_push($this->streams, ...$pair);
        $jobs = new Jobs(new RPC(new StreamRelay($pair[0], $pair[0]), new JsonCodec()));
        $seq = self::nextSequence();

        // Replies are written ahead: the client reads one frame per call.
        \fwrite($pair[1], Frame::pack(new Frame('jobs.Push', [$seq, 9], Frame::CODEC_PROTO)));
        \fwrite($pair[1], Frame::pack(new Frame('jobs.List' . JobsWire::pipelines('a', 'b'), [$seq + 1, 9], Frame::CODEC_PROTO)));
        \fwrite($pair[1], Frame::pack(new Frame('jobs.PauseRR_ERR_JOBS_NO_SUCH_PIPELINE: no such pipeline, requested: x', [$seq + 2, 10], Frame::CODEC_PROTO | Frame::ERROR)));

        $queued = $jobs->connect('a')->push('J', 'p');
        self::assertSame(['a', 'b'], \array_keys(\iterator_to_array($jobs)));
        try {
            $jobs->pause('x');
            self::fail('expected a JobsException');
        } catch (JobsException $e) {
            self::assertInstanceOf(ServiceException::class, $e->getPrevious());
            self::assertStringContainsString('no such pipeline, requested: x', $e->getMessage());
        }

        $expected = [
            ['jobs.Push', JobsWire::push(JobsWire::job('J', $queued->getId(), 'p', [], JobsWire::options('a')))],
            ['jobs.List', ''],
            ['jobs.Pause', JobsWire::pipelines('x')],
        ];
        foreach ($expected as $i => [$method, $body]) {
            $frame = Frames::readOne($pair[1]);
            self::assertSame(Frame::CODEC_PROTO, $frame->flags, $method);
            self::assertSame([$seq + $i, \strlen($method)], $frame->options);
            self::assertSame(\bin2hex($method . $body), \bin2hex((string) $frame->payload));
        }
    }

    private static function nextSequence(): int
    {
        $value = (new \ReflectionClass(RPC::class))->getStaticPropertyValue('seq');
        self::assertIsInt($value);

        return $value;
    }
}
