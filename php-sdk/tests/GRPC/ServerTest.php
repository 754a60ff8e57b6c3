<?php

declare(strict_types=1);

namespace RR\Tests\GRPC;

use PHPUnit\Framework\TestCase;
use RR\Goridge\Frame;
use RR\Goridge\Internal\ProtobufReader;
use RR\GRPC\Any;
use RR\GRPC\ContextInterface;
use RR\GRPC\Exception\GRPCException;
use RR\GRPC\Internal\StatusEncoder;
use RR\GRPC\Server;
use RR\GRPC\ServiceInterface;
use RR\GRPC\StatusCode;
use RR\Tests\Support\Frames;
use RR\Tests\Support\Peer;
use Test\CountReply;
use Test\CountRequest;
use Test\EchoInterface;
use Test\FailRequest;
use Test\SayReply;
use Test\SayRequest;

require_once __DIR__ . '/../../examples/grpc/messages.php';
require_once __DIR__ . '/../../examples/grpc/EchoInterface.php';

/**
 * The dispatcher with our Worker, the test playing rr (PROTOCOL §7): request frames in, response
 * frames out. Messages are the hand-written classes of examples/grpc (no google/protobuf).
 */
final class ServerTest extends TestCase
{
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
     * Sends the calls, then a stop, serves them and returns what the worker wrote.
     *
     * @param list<array{string, string, object|string, array<string, list<string>>}> $calls service, method, request, metadata
     *
     * @return list<Frame>
     */
    private function serve(array $calls, bool $socket = false, array $before = []): array
    {
        $peer = $socket ? Peer::socket() : Peer::pipes();
        $this->peers[] = $peer;
        foreach ($calls as [$service, $method, $request, $metadata]) {
            $context = \json_encode(['service' => $service, 'method' => $method, 'context' => (object) $metadata], \JSON_THROW_ON_ERROR);
            $peer->send(Frames::request($context, \is_string($request) ? $request : $request->serializeToString(), Frame::CODEC_JSON));
        }
        foreach ($before as $bytes) {
            $peer->send($bytes);
        }
        $peer->send(Frames::control('{"stop":true}'));
        $server = new Server();
        $server->registerService(EchoInterface::class, new EchoService());
        $server->serve($peer->worker);

        return $peer->frames();
    }

    /** @return array<string, mixed> */
    private static function context(Frame $frame): array
    {
        $length = $frame->options[0] ?? 0;

        return \json_decode(\substr((string) $frame->payload, 0, $length), true, 512, \JSON_THROW_ON_ERROR);
    }

    private static function body(Frame $frame): string
    {
        return \substr((string) $frame->payload, $frame->options[0] ?? 0);
    }

    /** @return array{int, string, list<array{string, string}>} code, message, details as [type URL, value] */
    private static function status(string $base64): array
    {
        $code = 0;
        $message = '';
        $details = [];
        foreach (ProtobufReader::fields((string) \base64_decode($base64, true), 'Status') as [$field, , $value]) {
            match ($field) {
                1 => $code = (int) $value,
                2 => $message = (string) $value,
                3 => $details[] = self::decodeAny((string) $value),
                default => null,
            };
        }

        return [$code, $message, $details];
    }

    /** @return array{string, string} */
    private static function decodeAny(string $bytes): array
    {
        $out = ['', ''];
        foreach (ProtobufReader::fields($bytes, 'Any') as [$field, , $value]) {
            $out[$field - 1] = (string) $value;
        }

        return $out;
    }

    public function testUnaryCallAnswersWithTheMessageHeadersAndTrailers(): void
    {
        $frames = $this->serve([['test.Echo', 'Say', (new SayRequest())->setText('grpc'), ['x-echo' => ['v1'], ':peer.auth-type' => ['tls']]]]);

        self::assertCount(1, $frames);
        self::assertSame(0, $frames[0]->byte10);
        self::assertSame(['headers' => '{"x-echo":"v1"}', 'trailers' => '{"x-said":"grpc"}'], self::context($frames[0]));
        $reply = new SayReply();
        $reply->mergeFromString(self::body($frames[0]));
        self::assertSame('hello grpc', $reply->getText());
        self::assertSame('tls', $reply->getAuthType());
    }

    public function testMethodNamesAreMatchedCaseInsensitivelyAsPhpDoes(): void
    {
        $frames = $this->serve([['test.Echo', 'say', (new SayRequest())->setText('x'), []]]);

        self::assertArrayNotHasKey('error', self::context($frames[0]));
    }

    public function testGrpcExceptionBecomesABase64StatusWithDetails(): void
    {
        $frames = $this->serve([['test.Echo', 'Fail', (new FailRequest())->setCode(StatusCode::NOT_FOUND)->setMessage('gone'), []]]);

        self::assertSame('', self::body($frames[0]));
        [$code, $message, $details] = self::status(self::context($frames[0])['error']);
        self::assertSame([StatusCode::NOT_FOUND, 'gone'], [$code, $message]);
        self::assertSame([['type.googleapis.com/test.SayReply', (new SayReply())->setText('gone')->serializeToString()]], $details);
    }

    public function testOtherExceptionsBecomeWorkerErrors(): void
    {
        $frames = $this->serve([['test.Echo', 'Fail', (new FailRequest())->setPlain(true)->setMessage('kaboom'), []]]);

        self::assertTrue($frames[0]->hasFlag(Frame::ERROR));
        self::assertSame('kaboom', $frames[0]->payload);
    }

    public function testUnknownServiceMethodAndUndecodableRequestsAreStatuses(): void
    {
        $frames = $this->serve([
            ['no.Such', 'Say', '', []],
            ['test.Echo', 'Nope', '', []],
            ['test.Echo', 'Say', "\x0a\x05ab", []],
        ]);

        self::assertCount(3, $frames);
        self::assertSame([StatusCode::NOT_FOUND, 'Service `no.Such` not found.'], \array_slice(self::status(self::context($frames[0])['error']), 0, 2));
        self::assertSame([StatusCode::NOT_FOUND, 'Method `Nope` not found in service `test.Echo`.'], \array_slice(self::status(self::context($frames[1])['error']), 0, 2));
        self::assertSame(StatusCode::INTERNAL, self::status(self::context($frames[2])['error'])[0]);
    }

    public function testServerStreamingSendsOneProtoStreamFramePerMessageThenAFinalJsonFrame(): void
    {
        $frames = $this->serve([['test.Echo', 'Count', (new CountRequest())->setN(3), []]]);

        self::assertCount(4, $frames);
        foreach ([0, 1, 2] as $i) {
            self::assertSame(Frame::BYTE10_STREAM, $frames[$i]->byte10 & Frame::BYTE10_STREAM);
            self::assertTrue($frames[$i]->hasFlag(Frame::CODEC_PROTO));
            $reply = new CountReply();
            $reply->mergeFromString(self::body($frames[$i]));
            self::assertSame($i + 1, $reply->getI());
        }
        self::assertSame(['headers' => '{"x-count":"3"}'], self::context($frames[0]));
        self::assertSame(0, $frames[3]->byte10);
        self::assertTrue($frames[3]->hasFlag(Frame::CODEC_JSON));
        self::assertSame(['trailers' => '{"x-sent":"3"}'], self::context($frames[3]));
        self::assertSame('', self::body($frames[3]));
    }

    public function testAStoppedStreamEndsWithAnEmptyFinalFrame(): void
    {
        // On a socket relay the worker looks for STOP before every chunk, so the first one is never sent.
        $frames = $this->serve([['test.Echo', 'Count', (new CountRequest())->setN(5), []]], true, [Frames::streamStop()]);

        self::assertCount(1, $frames);
        self::assertSame(0, $frames[0]->byte10);
        self::assertSame('', (string) $frames[0]->payload);
    }

    public function testStatusEncoderPacksAnyObjectsAndMessages(): void
    {
        $bytes = StatusEncoder::encode(StatusCode::ABORTED, 'm', [new Any('type.googleapis.com/x.Y', 'v'), (new SayReply())->setText('t')]);
        [$code, $message, $details] = self::status(\base64_encode($bytes));

        self::assertSame([StatusCode::ABORTED, 'm'], [$code, $message]);
        self::assertSame(['type.googleapis.com/x.Y', 'v'], $details[0]);
        self::assertSame('type.googleapis.com/test.SayReply', $details[1][0]);
    }

    public function testGrpcExceptionDefaultsAndDetails(): void
    {
        $e = GRPCException::create('m');
        self::assertSame(StatusCode::UNKNOWN, $e->getCode());
        $e->addDetails(new Any('u', 'v'));
        self::assertCount(1, $e->getDetails());
    }

    public function testRegisterServiceRefusesWhatDoesNotFit(): void
    {
        $server = new Server();
        $this->expectException(\InvalidArgumentException::class);
        $server->registerService(EchoInterface::class, new class () implements ServiceInterface {
        });
    }

    public function testRegisterServiceNeedsTheProtoName(): void
    {
        $server = new Server();
        $this->expectException(\InvalidArgumentException::class);
        $this->expectExceptionMessage('NAME');
        $server->registerService(NamelessInterface::class, new class () implements NamelessInterface {
            public function Say(ContextInterface $ctx, SayRequest $in): SayReply
            {
                return new SayReply();
            }
        });
    }
}

interface NamelessInterface extends ServiceInterface
{
    public function Say(ContextInterface $ctx, SayRequest $in): SayReply;
}
