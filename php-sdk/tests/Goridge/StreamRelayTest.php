<?php

declare(strict_types=1);

namespace RR\Tests\Goridge;

use PHPUnit\Framework\TestCase;
use RR\Goridge\Exception\HeaderException;
use RR\Goridge\Exception\InvalidArgumentException;
use RR\Goridge\Exception\TransportException;
use RR\Goridge\Frame;
use RR\Goridge\StreamRelay;
use RR\Tests\Support\Fork;
use RR\Tests\Support\Frames;
use RR\Tests\Support\Vectors;

final class StreamRelayTest extends TestCase
{
    /** @var list<resource> */
    private array $streams = [];

    protected function tearDown(): void
    {
        foreach ($this->streams as $stream) {
            if (\is_resource($stream)) {
                \fclose($stream);
            }
        }
        $this->streams = [];
    }

    public function testReadsConsecutiveFramesFromAMemoryStream(): void
    {
        $in = $this->memory(Vectors::bytes('pid-request') . Vectors::bytes('request-raw') . Vectors::bytes('pong'));
        $relay = new StreamRelay($in, $this->memory(''));

        self::assertTrue($relay->hasFrame());
        self::assertSame('{"pid":12345}', $relay->waitFrame()->payload);
        $request = $relay->waitFrame();
        self::assertSame([7], $request->options);
        self::assertSame('{"a":1}hello', $request->payload);
        self::assertSame(Frame::BYTE10_PONG, $relay->waitFrame()->byte10);
        self::assertFalse($relay->hasFrame(), 'everything was read');
    }

    public function testSendsEachFrameAsExactlyItsBytes(): void
    {
        $out = $this->memory('');
        $relay = new StreamRelay($this->memory(''), $out);

        $relay->send(Frame::parse(Vectors::bytes('worker-error')));
        $relay->send(Frame::parse(Vectors::bytes('stream-chunk')));

        \rewind($out);
        self::assertSame(
            \bin2hex(Vectors::bytes('worker-error') . Vectors::bytes('stream-chunk')),
            \bin2hex((string) \stream_get_contents($out)),
        );
    }

    public function testAssemblesAFrameThatArrivesOneByteAtATime(): void
    {
        [$reader, $writer] = $this->pair();
        $bytes = Vectors::bytes('rpc-response') . Vectors::bytes('pid-request');

        $pid = Fork::run(static function () use ($writer, $bytes): void {
            foreach (\str_split($bytes) as $byte) {
                \fwrite($writer, $byte);
                \usleep(500);
            }
        });
        \fclose($writer);

        try {
            $relay = new StreamRelay($reader, $reader);
            $first = $relay->waitFrame();
            $second = $relay->waitFrame();
        } finally {
            Fork::reap($pid);
        }

        self::assertSame([1, 13], $first->options);
        self::assertSame('informer.List["http"]', $first->payload);
        self::assertSame('{"pid":12345}', $second->payload);
    }

    public function testAHeaderWithABadCrcFailsWithTheBytes(): void
    {
        $relay = new StreamRelay($this->memory("hello world, not a frame\n"), $this->memory(''));

        $this->expectException(HeaderException::class);
        $this->expectExceptionMessage('[68 65 6c 6c 6f 20 77 6f 72 6c 64 2c] "hello world,"');

        $relay->waitFrame();
    }

    public function testEndOfStreamInsideAFrameIsATransportError(): void
    {
        $relay = new StreamRelay($this->memory(\substr(Vectors::bytes('request-raw'), 0, 20)), $this->memory(''));

        $this->expectException(TransportException::class);
        $this->expectExceptionMessage('Unable to read frame body: the stream was closed after 8 of 16 bytes [07 00 00 00 7b 22 61 22]');

        $relay->waitFrame();
    }

    public function testEndOfStreamBeforeAHeaderIsATransportError(): void
    {
        $relay = new StreamRelay($this->memory('abc'), $this->memory(''));

        $this->expectException(TransportException::class);
        $this->expectExceptionMessage('Unable to read frame header: the stream was closed after 3 of 12 bytes [61 62 63]');

        $relay->waitFrame();
    }

    public function testHasFrameDoesNotBlockOnAnEmptySocket(): void
    {
        [$reader, $writer] = $this->pair();
        $relay = new StreamRelay($reader, $reader);

        self::assertFalse($relay->hasFrame());
        \fwrite($writer, Vectors::bytes('pong'));
        self::assertTrue($relay->hasFrame());
        self::assertSame(Frame::BYTE10_PONG, $relay->waitFrame()->byte10);
        self::assertFalse($relay->hasFrame());
    }

    public function testRejectsStreamsThatCannotBeReadOrWritten(): void
    {
        $readOnly = \fopen('php://memory', 'rb');
        self::assertIsResource($readOnly);
        $this->streams[] = $readOnly;

        try {
            new StreamRelay($this->memory(''), $readOnly);
            self::fail('a read-only output must be rejected');
        } catch (InvalidArgumentException $e) {
            self::assertSame('Output resource stream must be writable', $e->getMessage());
        }

        $this->expectException(InvalidArgumentException::class);
        $this->expectExceptionMessage('Expected a valid input resource stream');
        new StreamRelay('not a stream', $this->memory(''));
    }

    public function testWritingToAClosedPeerIsATransportError(): void
    {
        [$reader, $writer] = $this->pair();
        \fclose($writer);
        $relay = new StreamRelay($reader, $reader);

        $this->expectException(TransportException::class);
        $this->expectExceptionMessage('Unable to write frame to the stream (0 of 16 bytes written)');

        $relay->send(Frame::parse(Vectors::bytes('worker-error')));
    }

    public function testReadsAPayloadLargerThanTheSocketBuffer(): void
    {
        [$reader, $writer] = $this->pair();
        $payload = \random_bytes(3 * 1024 * 1024);
        $bytes = Frame::pack(new Frame($payload, [0], Frame::CODEC_RAW));

        $pid = Fork::run(static function () use ($writer, $bytes): void {
            \fwrite($writer, $bytes);
        });
        \fclose($writer);

        try {
            $frame = (new StreamRelay($reader, $reader))->waitFrame();
        } finally {
            Fork::reap($pid);
        }

        self::assertSame(\strlen($payload), \strlen((string) $frame->payload));
        self::assertSame(\md5($payload), \md5((string) $frame->payload));
    }

    /**
     * @return resource
     */
    private function memory(string $content)
    {
        $stream = \fopen('php://memory', 'w+b');
        self::assertIsResource($stream);
        \fwrite($stream, $content);
        \rewind($stream);
        $this->streams[] = $stream;

        return $stream;
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
}
