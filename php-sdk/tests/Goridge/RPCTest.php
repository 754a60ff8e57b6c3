<?php

declare(strict_types=1);

namespace RR\Tests\Goridge;

use PHPUnit\Framework\TestCase;
use RR\Goridge\Exception\CodecException;
use RR\Goridge\Exception\RPCException;
use RR\Goridge\Exception\ServiceException;
use RR\Goridge\Frame;
use RR\Goridge\RPC\Codec\JsonCodec;
use RR\Goridge\RPC\Codec\ProtobufCodec;
use RR\Goridge\RPC\Codec\RawCodec;
use RR\Goridge\RPC\CodecInterface;
use RR\Goridge\RPC\RPC;
use RR\Goridge\StreamRelay;
use RR\Tests\Support\FakeProtoMessage;
use RR\Tests\Support\Fork;
use RR\Tests\Support\Frames;
use RR\Tests\Support\Servers;

/**
 * The RPC client against PHP-side fake servers: a forked echo server on TCP and Unix sockets, and a
 * scripted peer on a socket pair for malformed answers.
 */
final class RPCTest extends TestCase
{
    private Servers $servers;

    /** @var list<resource> */
    private array $streams = [];

    protected function setUp(): void
    {
        $this->servers = new Servers();
    }

    protected function tearDown(): void
    {
        $this->servers->close();
        foreach ($this->streams as $stream) {
            if (\is_resource($stream)) {
                \fclose($stream);
            }
        }
        $this->streams = [];
    }

    /**
     * @return iterable<string, array{string}>
     */
    public function transports(): iterable
    {
        yield 'tcp' => ['tcp'];
        yield 'unix' => ['unix'];
    }

    /**
     * @dataProvider transports
     */
    public function testTheServerSeesSequenceAndMethodAndEchoesTheSequence(string $transport): void
    {
        [$server, $address] = $this->servers->{$transport}();
        $pid = $this->echoServer($server, 3);

        try {
            $rpc = RPC::create($address);
            $first = $rpc->call('echo.Describe', ['a' => 1]);
            $second = $rpc->call('echo.Describe', 'x');
            $third = RPC::create($address)->withCodec(new RawCodec())->call('echo.Describe', 'raw bytes');
        } finally {
            Fork::reap($pid);
        }

        self::assertIsArray($first);
        self::assertIsArray($second);
        self::assertSame(['method' => 'echo.Describe', 'flags' => Frame::CODEC_JSON, 'body' => '{"a":1}'], \array_diff_key($first, ['seq' => 0]));
        self::assertSame('"x"', $second['body']);
        self::assertSame($first['seq'] + 1, $second['seq'], 'the sequence advances by one per call');

        self::assertIsString($third);
        $described = \json_decode($third, true);
        self::assertIsArray($described);
        self::assertSame(Frame::CODEC_RAW, $described['flags']);
        self::assertSame('raw bytes', $described['body']);
        self::assertSame($second['seq'] + 1, $described['seq'], 'the sequence is shared by every client of the process');
    }

    public function testServicePrefixUpperCasesTheMethod(): void
    {
        [$server, $address] = $this->servers->tcp();
        $pid = $this->echoServer($server, 1);

        try {
            $reply = RPC::create($address)->withServicePrefix('metrics')->call('add', ['name' => 'hits']);
        } finally {
            Fork::reap($pid);
        }

        self::assertIsArray($reply);
        self::assertSame('metrics.Add', $reply['method']);
    }

    public function testWritesTheRequestFrameByteForByte(): void
    {
        [$rpc, $peer, $seq] = $this->scripted();
        \fwrite($peer, $this->reply($seq, 'informer.List', '["http"]', Frame::CODEC_JSON));

        self::assertSame(['http'], $rpc->call('informer.List', true));

        $request = Frames::readOne($peer);
        $expected = new Frame('informer.Listtrue', [$seq, 13], Frame::CODEC_JSON);
        self::assertSame(\bin2hex(Frame::pack($expected)), \bin2hex(Frame::pack($request)));
    }

    public function testAnErrorFrameBecomesAServiceExceptionWithTheRrErrorCode(): void
    {
        [$rpc, $peer, $seq] = $this->scripted();
        \fwrite($peer, $this->reply($seq, 'kv.Get', "RR_ERR_KV_NO_SUCH_STORAGE: no such storage 'nope'", Frame::CODEC_JSON | Frame::ERROR));

        try {
            $rpc->call('kv.Get', ['storage' => 'nope']);
            self::fail('expected a ServiceException');
        } catch (ServiceException $e) {
            self::assertInstanceOf(RPCException::class, $e);
            self::assertSame(
                "Error 'RR_ERR_KV_NO_SUCH_STORAGE: no such storage 'nope'' on " . StreamRelay::class,
                $e->getMessage(),
            );
            self::assertSame('RR_ERR_KV_NO_SUCH_STORAGE', $e->getErrorCode());
            self::assertSame("no such storage 'nope'", $e->getErrorMessage());
            self::assertSame("RR_ERR_KV_NO_SUCH_STORAGE: no such storage 'nope'", $e->getServiceError());
        }

        self::assertSame($seq + 1, $this->nextSequence(), 'an error response still completes the call');
    }

    public function testAnErrorWithoutCodeHasNoErrorCode(): void
    {
        [$rpc, $peer, $seq] = $this->scripted();
        \fwrite($peer, $this->reply($seq, 'foo.Bar', "rpc: can't find service foo.Bar", Frame::CODEC_JSON | Frame::ERROR));

        try {
            $rpc->call('foo.Bar', null);
            self::fail('expected a ServiceException');
        } catch (ServiceException $e) {
            self::assertNull($e->getErrorCode());
            self::assertSame("rpc: can't find service foo.Bar", $e->getErrorMessage());
        }
    }

    /**
     * @return iterable<string, array{string, ?string}>
     */
    public function errorTexts(): iterable
    {
        yield 'code and message' => ['RR_ERR_RPC_BAD_ARGUMENT: bad', 'RR_ERR_RPC_BAD_ARGUMENT'];
        yield 'code alone' => ['RR_ERR_INTERNAL', 'RR_ERR_INTERNAL'];
        yield 'code with digits' => ['RR_ERR_HTTP2_GOAWAY: closed', 'RR_ERR_HTTP2_GOAWAY'];
        yield 'code later in the text' => ['rpc_has: RR_ERR_KV_X: y', null];
        yield 'lower case' => ['rr_err_kv: y', null];
        yield 'prefix of a longer word' => ['RR_ERR_KVstorage: y', null];
        yield 'empty' => ['', null];
    }

    /**
     * @dataProvider errorTexts
     */
    public function testExtractsOnlyALeadingRrErrorCode(string $text, ?string $code): void
    {
        self::assertSame($code, ServiceException::fromServiceError($text, 'tcp://127.0.0.1:6001')->getErrorCode());
    }

    public function testAMismatchedSequenceIsAnRpcException(): void
    {
        [$rpc, $peer, $seq] = $this->scripted();
        \fwrite($peer, $this->reply($seq + 5, 'informer.List', '[]', Frame::CODEC_JSON));

        $this->expectException(RPCException::class);
        $this->expectExceptionMessage('Invalid RPC frame, sequence mismatch');

        $rpc->call('informer.List', true);
    }

    public function testAResponseWithoutTwoOptionsIsAnRpcException(): void
    {
        [$rpc, $peer] = $this->scripted();
        \fwrite($peer, Frame::pack(new Frame('informer.List[]', [13], Frame::CODEC_JSON)));

        try {
            $rpc->call('informer.List', true);
            self::fail('expected an RPCException');
        } catch (RPCException $e) {
            self::assertNotInstanceOf(ServiceException::class, $e);
            self::assertSame('Invalid RPC frame, options missing', $e->getMessage());
        }
    }

    public function testDecodesJsonRepliesWithExtraFlagsFromOptions(): void
    {
        [$rpc, $peer, $seq] = $this->scripted();
        \fwrite($peer, $this->reply($seq, 'x.Y', '{"big":12345678901234567890}', Frame::CODEC_JSON));

        self::assertSame(['big' => '12345678901234567890'], $rpc->call('x.Y', null, \JSON_BIGINT_AS_STRING));
    }

    public function testAnUndecodableReplyIsACodecException(): void
    {
        [$rpc, $peer, $seq] = $this->scripted();
        \fwrite($peer, $this->reply($seq, 'x.Y', '{not json', Frame::CODEC_JSON));

        $this->expectException(CodecException::class);
        $this->expectExceptionMessage('Json decode: Syntax error');

        $rpc->call('x.Y', null);
    }

    public function testRawCodecSendsBytesAndRefusesAnythingElse(): void
    {
        [$rpc, $peer, $seq] = $this->scripted(new RawCodec());
        \fwrite($peer, $this->reply($seq, 'kv.Has', "\x00\xffbin", Frame::CODEC_RAW));

        self::assertSame("\x00\xffbin", $rpc->call('kv.Has', "\x01\x02"));
        $request = Frames::readOne($peer);
        self::assertSame(Frame::CODEC_RAW, $request->flags);
        self::assertSame("kv.Has\x01\x02", $request->payload);

        $this->expectException(CodecException::class);
        $this->expectExceptionMessage('Only string payloads can be sent');
        $rpc->call('kv.Has', ['not' => 'bytes']);
    }

    public function testProtobufCodecSendsMessagesAndDecodesIntoTheGivenClass(): void
    {
        [$rpc, $peer, $seq] = $this->scripted(new ProtobufCodec());
        \fwrite($peer, $this->reply($seq, 'kv.Get', "\x0a\x03abc", Frame::CODEC_PROTO));

        $request = new FakeProtoMessage("\x0a\x01k");
        $reply = $rpc->call('kv.Get', $request, FakeProtoMessage::class);

        self::assertInstanceOf(FakeProtoMessage::class, $reply);
        self::assertSame("\x0a\x03abc", $reply->bytes);
        $sent = Frames::readOne($peer);
        self::assertSame(Frame::CODEC_PROTO, $sent->flags);
        self::assertSame("kv.Get\x0a\x01k", $sent->payload);
    }

    public function testProtobufCodecHandlesStringsAndMessageObjects(): void
    {
        $codec = new ProtobufCodec();
        self::assertSame(Frame::CODEC_PROTO, $codec->getIndex());
        self::assertSame("\x08\x01", $codec->encode("\x08\x01"), 'strings are already serialised');
        self::assertSame("\x08\x01", $codec->decode("\x08\x01"), 'without a target the bytes come back');

        $target = new FakeProtoMessage('');
        self::assertSame($target, $codec->decode("\x08\x02", $target));
        self::assertSame("\x08\x02", $target->bytes);

        try {
            $codec->decode('', 'No\\Such\\Message');
            self::fail('an unknown class must be rejected');
        } catch (CodecException $e) {
            self::assertStringContainsString("'No\\Such\\Message' does not exist", $e->getMessage());
        }

        $this->expectException(CodecException::class);
        $this->expectExceptionMessage('got array');
        $codec->encode([]);
    }

    public function testJsonCodecReportsUnencodableValues(): void
    {
        $codec = new JsonCodec();
        self::assertSame(Frame::CODEC_JSON, $codec->getIndex());
        self::assertSame('{"a":[1,2]}', $codec->encode(['a' => [1, 2]]));

        $this->expectException(CodecException::class);
        $this->expectExceptionMessage('Json encode: Malformed UTF-8');
        $codec->encode("\xff");
    }

    public function testWithCodecAndWithServicePrefixReturnCopies(): void
    {
        [$rpc] = $this->scripted();
        $raw = $rpc->withCodec(new RawCodec());
        $prefixed = $rpc->withServicePrefix('kv');

        self::assertNotSame($rpc, $raw);
        self::assertNotSame($rpc, $prefixed);
        self::assertInstanceOf(JsonCodec::class, $rpc->getCodec(), 'JSON is the default codec');
        self::assertInstanceOf(RawCodec::class, $raw->getCodec());
        self::assertSame($rpc->getRelay(), $prefixed->getRelay());
    }

    /**
     * A forked server answering `$calls` requests with a JSON description of what it received,
     * encoded with the codec of the request.
     *
     * @param resource $server
     */
    private function echoServer($server, int $calls): int
    {
        return Fork::run(static function () use ($server, $calls): void {
            $conns = [];
            for ($i = 0; $i < $calls; ++$i) {
                $read = $conns === [] ? [$server] : [$server, ...$conns];
                $write = $except = null;
                \stream_select($read, $write, $except, 5);
                foreach ($read as $ready) {
                    if ($ready === $server) {
                        $conns[] = Servers::accept($server);
                        --$i;
                        continue;
                    }
                    $request = Frames::readOne($ready);
                    [$seq, $methodLength] = $request->options;
                    $method = \substr((string) $request->payload, 0, $methodLength);
                    $body = (string) \substr((string) $request->payload, $methodLength);
                    $description = \json_encode(['seq' => $seq, 'method' => $method, 'flags' => $request->flags, 'body' => $body]);
                    // JSON clients decode the description, RAW clients get it as bytes.
                    \fwrite($ready, Frame::pack(new Frame($method . $description, [$seq, $methodLength], $request->flags)));
                }
            }
        });
    }

    /**
     * An RPC client over a socket pair whose other end the test scripts, plus the sequence number
     * the next call will use.
     *
     * @return array{RPC, resource, int}
     */
    private function scripted(?CodecInterface $codec = null): array
    {
        $pair = \stream_socket_pair(\STREAM_PF_UNIX, \STREAM_SOCK_STREAM, \STREAM_IPPROTO_IP);
        self::assertIsArray($pair);
        \array_push($this->streams, ...$pair);

        return [new RPC(new StreamRelay($pair[0], $pair[0]), $codec), $pair[1], $this->nextSequence()];
    }

    private function reply(int $seq, string $method, string $body, int $flags): string
    {
        return Frame::pack(new Frame($method . $body, [$seq, \strlen($method)], $flags));
    }

    private function nextSequence(): int
    {
        $value = (new \ReflectionClass(RPC::class))->getStaticPropertyValue('seq');
        self::assertIsInt($value);

        return $value;
    }
}
