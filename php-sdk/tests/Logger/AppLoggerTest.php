<?php

declare(strict_types=1);

namespace RR\Tests\Logger;

use PHPUnit\Framework\TestCase;
use RR\Goridge\Exception\ServiceException;
use RR\Goridge\Frame;
use RR\Goridge\RPC\Codec\JsonCodec;
use RR\Goridge\RPC\Codec\ProtobufCodec;
use RR\Goridge\RPC\CodecInterface;
use RR\Goridge\RPC\RPC;
use RR\Goridge\RPC\RPCInterface;
use RR\Goridge\StreamRelay;
use RR\Logger\AppLogger;
use RR\Tests\Support\Frames;

/**
 * AppLogger against a recording RPCInterface (which method, which codec, which bytes) and against a
 * scripted goridge peer on a socket pair (the frames on the wire).
 */
final class AppLoggerTest extends TestCase
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

    /**
     * @return iterable<string, array{string, string}>
     */
    public function levels(): iterable
    {
        yield 'emergency' => ['emergency', 'Error'];
        yield 'alert' => ['alert', 'Error'];
        yield 'critical' => ['critical', 'Error'];
        yield 'error' => ['error', 'Error'];
        yield 'warning' => ['warning', 'Warning'];
        yield 'notice' => ['notice', 'Info'];
        yield 'info' => ['info', 'Info'];
        yield 'debug' => ['debug', 'Debug'];
    }

    /**
     * @dataProvider levels
     */
    public function testEachLevelCallsItsMethodWithTheJsonCodecWithoutContext(string $level, string $method): void
    {
        $rpc = new RecordingRpc();
        $logger = new AppLogger($rpc);
        $logger->{$level}('hello');
        $logger->log($level, 'via log');
        $logger->log(\strtoupper($level), 'upper');

        self::assertSame([
            ['app.' . $method, 'hello', JsonCodec::class],
            ['app.' . $method, 'via log', JsonCodec::class],
            ['app.' . $method, 'upper', JsonCodec::class],
        ], $rpc->calls);
    }

    /**
     * @dataProvider levels
     */
    public function testAContextSendsTheWithContextVariantAsProtobuf(string $level, string $method): void
    {
        $rpc = new RecordingRpc();
        (new AppLogger($rpc))->{$level}('user created', ['id' => '42']);

        self::assertSame([['app.' . $method . 'WithContext', AppLogger::encodeEntry('user created', ['id' => '42']), ProtobufCodec::class]], $rpc->calls);
    }

    public function testEncodesTheLogEntryAsProtocDoes(): void
    {
        $expected = "\x0a\x0cuser created" . "\x12\x08\x0a\x02id\x12\x0242" . "\x12\x0f\x0a\x04user\x12\x07{\"a\":1}";
        self::assertSame(\bin2hex($expected), \bin2hex(AppLogger::encodeEntry('user created', ['id' => '42', 'user' => ['a' => 1]])));
    }

    public function testNonStringValuesAreJsonEncodedAndThrowablesStringified(): void
    {
        $e = new \RuntimeException('boom');
        $bytes = AppLogger::encodeEntry('', [0 => 1.5, 'ok' => true, 'none' => null, 'list' => [1, 'é/x'], 'empty' => '', 'e' => $e]);
        $expected = self::attr('0', '1.5') . self::attr('ok', 'true') . self::attr('none', 'null') . self::attr('list', '[1,"é/x"]')
            . "\x12\x07\x0a\x05empty";
        self::assertSame(\bin2hex($expected), \bin2hex(\substr($bytes, 0, \strlen($expected))));
        self::assertStringEndsWith("\x0a\x01e\x12" . self::varint(\strlen((string) $e)) . (string) $e, $bytes);
    }

    public function testALongMessageUsesAMultiByteLength(): void
    {
        $message = \str_repeat('x', 300);
        self::assertSame("\x0a\xac\x02" . $message, AppLogger::encodeEntry($message, []));
    }

    public function testRawGoesToLogAndLogWithContext(): void
    {
        $rpc = new RecordingRpc();
        $logger = new AppLogger($rpc);
        $logger->raw('plain');
        $logger->raw(new class () implements \Stringable {
            public function __toString(): string
            {
                return 'stringable';
            }
        }, ['k' => 'v']);

        self::assertSame([
            ['app.Log', 'plain', JsonCodec::class],
            ['app.LogWithContext', AppLogger::encodeEntry('stringable', ['k' => 'v']), ProtobufCodec::class],
        ], $rpc->calls);
    }

    public function testAnUnknownLevelIsAnInvalidArgumentAndSendsNothing(): void
    {
        $rpc = new RecordingRpc();
        $logger = new AppLogger($rpc);
        foreach (['fatal', 7, null] as $level) {
            try {
                $logger->log($level, 'x');
                self::fail('expected an InvalidArgumentException');
            } catch (\InvalidArgumentException $e) {
                self::assertStringContainsString('unknown log level', $e->getMessage());
            }
        }
        self::assertSame([], $rpc->calls);
    }

    public function testWritesRoadRunnerFramesAndSurfacesRrErrors(): void
    {
        $pair = \stream_socket_pair(\STREAM_PF_UNIX, \STREAM_SOCK_STREAM, \STREAM_IPPROTO_IP);
        self::assertIsArray($pair);
        \array_push($this->streams, ...$pair);
        $logger = new AppLogger(new RPC(new StreamRelay($pair[0], $pair[0])));
        $seq = self::nextSequence();

        \fwrite($pair[1], Frame::pack(new Frame('app.Infotrue', [$seq, 8], Frame::CODEC_JSON)));
        \fwrite($pair[1], Frame::pack(new Frame('app.WarningWithContext', [$seq + 1, 22], Frame::CODEC_PROTO)));
        $logger->info('hi');
        $logger->warning('w', ['a' => 'b']);

        $first = Frames::readOne($pair[1]);
        self::assertSame('app.Info"hi"', $first->payload);
        self::assertSame([$seq, 8], $first->options);
        self::assertSame(Frame::CODEC_JSON, $first->flags & Frame::CODEC_JSON);
        $second = Frames::readOne($pair[1]);
        self::assertSame('app.WarningWithContext' . AppLogger::encodeEntry('w', ['a' => 'b']), $second->payload);
        self::assertSame(Frame::CODEC_PROTO, $second->flags & Frame::CODEC_PROTO);

        \fwrite($pair[1], Frame::pack(new Frame('app.ErrorRR_ERR_APP_BAD_ARGUMENT: app.Error: bad', [$seq + 2, 9], Frame::CODEC_JSON | Frame::ERROR)));
        try {
            $logger->error('x');
            self::fail('expected a ServiceException');
        } catch (ServiceException $e) {
            self::assertSame('RR_ERR_APP_BAD_ARGUMENT', $e->getErrorCode());
        }
    }

    private static function attr(string $key, string $value): string
    {
        $inner = "\x0a" . \chr(\strlen($key)) . $key . ($value === '' ? '' : "\x12" . \chr(\strlen($value)) . $value);

        return "\x12" . \chr(\strlen($inner)) . $inner;
    }

    private static function varint(int $n): string
    {
        $out = '';
        while ($n > 0x7f) {
            $out .= \chr(($n & 0x7f) | 0x80);
            $n >>= 7;
        }

        return $out . \chr($n);
    }

    private static function nextSequence(): int
    {
        $value = (new \ReflectionClass(RPC::class))->getStaticPropertyValue('seq');
        self::assertIsInt($value);

        return $value;
    }
}

/** Records every call with the codec it would be sent with. */
final class RecordingRpc implements RPCInterface
{
    /** @var list<array{string, mixed, class-string}> */
    public array $calls = [];

    private CodecInterface $codec;

    /** Copies made by withCodec() record into the original. */
    public function __construct(?CodecInterface $codec = null, private readonly ?RecordingRpc $shared = null)
    {
        $this->codec = $codec ?? new JsonCodec();
    }

    public function withServicePrefix(string $service): self
    {
        return $this;
    }

    public function withCodec(CodecInterface $codec): self
    {
        return new self($codec, $this->shared ?? $this);
    }

    public function call(string $method, mixed $payload, mixed $options = null): mixed
    {
        $target = $this->shared ?? $this;
        $target->calls[] = [$method, $payload, $this->codec::class];

        return true;
    }
}
