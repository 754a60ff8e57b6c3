<?php

declare(strict_types=1);

namespace RR\Tests\Http;

use PHPUnit\Framework\TestCase;
use RR\Goridge\Frame;
use RR\Http\Exception\RequestContextException;
use RR\Http\Exception\StreamStoppedException;
use RR\Http\HttpWorker;
use RR\Http\Request;
use RR\Tests\Support\Frames;
use RR\Tests\Support\HttpContext;
use RR\Tests\Support\Peer;
use RR\Worker\Exception\StreamStoppedException as WorkerStreamStoppedException;

/**
 * HttpWorker against a fake server writing raw frames, in both request context encodings.
 */
final class HttpWorkerTest extends TestCase
{
    private const UPLOADS = [
        'avatar' => ['name' => 'me.png', 'mime' => 'image/png', 'size' => 3, 'error' => 0, 'tmpName' => '/tmp/upload1'],
        'docs' => [
            'pdf' => [
                ['name' => 'a.pdf', 'mime' => 'application/pdf', 'size' => 10, 'error' => 0, 'tmpName' => '/tmp/upload2'],
                ['name' => '', 'mime' => '', 'size' => 0, 'error' => 4, 'tmpName' => ''],
            ],
        ],
    ];

    private const FORM = '{"name":"ann","tags":["a","b"],"user":{"age":"30"}}';

    /** @var list<Peer> */
    private array $peers = [];

    /** @var array{string, string}|null the temporary log file and the error_log setting to restore */
    private ?array $errorLog = null;

    protected function setUp(): void
    {
        HttpWorker::resetCodec();
    }

    protected function tearDown(): void
    {
        foreach ($this->peers as $peer) {
            $peer->close();
        }
        $this->peers = [];
        HttpWorker::resetCodec();
        if ($this->errorLog !== null) {
            \ini_set('error_log', $this->errorLog[1]);
            @\unlink($this->errorLog[0]);
            $this->errorLog = null;
        }
    }

    /**
     * @return array<string, mixed>
     */
    public static function fullContext(): array
    {
        return [
            'remoteAddr' => '10.0.0.1',
            'protocol' => 'HTTP/2.0',
            'method' => 'POST',
            'uri' => 'https://example.com/upload?x=1&a[b]=2&list[]=3&list[]=4',
            'headers' => [
                'Content-Type' => ['multipart/form-data; boundary=xyz'],
                'Accept' => ['text/html', 'application/json'],
                'X-Request-Id' => ['42'],
            ],
            'cookies' => ['session' => 'abc 123', 'theme' => 'dark'],
            'rawQuery' => 'x=1&a[b]=2&list[]=3&list[]=4',
            'parsed' => true,
            'uploads' => self::UPLOADS,
            'attributes' => ['ipAddress' => '192.168.1.5', 'route' => 'upload'],
        ];
    }

    /**
     * @return iterable<string, array{string}>
     */
    public function encodings(): iterable
    {
        yield 'json' => ['json'];
        yield 'protobuf' => ['proto'];
    }

    /**
     * @dataProvider encodings
     */
    public function testARequestCarriesEveryFieldOfTheContext(string $encoding): void
    {
        [$http, $peer] = $this->worker();
        $peer->send(HttpContext::frame($encoding, self::fullContext(), self::FORM));

        $request = $http->waitRequest();

        self::assertInstanceOf(Request::class, $request);
        self::assertSame($encoding === 'json' ? Frame::CODEC_JSON : Frame::CODEC_PROTO, HttpWorker::getCodec());
        self::assertSame('10.0.0.1', $request->remoteAddr);
        self::assertSame('192.168.1.5', $request->getRemoteAddr(), 'the proxy-ip attribute wins');
        self::assertSame('HTTP/2.0', $request->protocol);
        self::assertSame('POST', $request->method);
        self::assertSame('https://example.com/upload?x=1&a[b]=2&list[]=3&list[]=4', $request->uri);
        self::assertSame(self::fullContext()['headers'], $request->headers);
        self::assertSame(['session' => 'abc 123', 'theme' => 'dark'], $request->cookies);
        self::assertSame('x=1&a[b]=2&list[]=3&list[]=4', $request->rawQuery);
        self::assertSame(['x' => '1', 'a' => ['b' => '2'], 'list' => ['3', '4']], $request->query);
        self::assertTrue($request->parsed);
        self::assertSame(self::FORM, $request->body);
        self::assertSame(['name' => 'ann', 'tags' => ['a', 'b'], 'user' => ['age' => '30']], $request->getParsedBody());
        self::assertSame(self::UPLOADS, $request->uploads);
        self::assertSame(
            ['rr_parsed_body' => true, 'ipAddress' => '192.168.1.5', 'route' => 'upload'],
            $request->attributes,
        );
        self::assertSame('', $peer->received(), 'nothing is answered yet');
    }

    /**
     * @dataProvider encodings
     */
    public function testAnUnparsedBodyIsKeptRaw(string $encoding): void
    {
        [$http, $peer] = $this->worker();
        $peer->send(HttpContext::frame($encoding, HttpContext::minimal([
            'method' => 'PUT',
            'headers' => ['Content-Type' => ['application/octet-stream']],
        ]), "\x00\x01binary"));

        $request = $http->waitRequest();

        self::assertNotNull($request);
        self::assertFalse($request->parsed);
        self::assertSame("\x00\x01binary", $request->body);
        self::assertNull($request->getParsedBody());
        self::assertSame(['rr_parsed_body' => false], $request->attributes);
        self::assertSame([], $request->uploads);
        self::assertSame([], $request->cookies);
        self::assertSame([], $request->query);
        self::assertSame('127.0.0.1', $request->getRemoteAddr());
    }

    public function testProtobufCookiesWithSeveralValuesAreJoinedAndAttributesTakeTheFirstValue(): void
    {
        [$http, $peer] = $this->worker();
        $peer->send(HttpContext::frame('proto', HttpContext::minimal([
            'cookies' => ['pair' => ['a', 'b'], 'one' => ['x']],
            'attributes' => ['ipAddress' => ['9.9.9.9', '8.8.8.8'], 'empty' => []],
        ])));

        $request = $http->waitRequest();

        self::assertNotNull($request);
        self::assertSame(['pair' => 'a,b', 'one' => 'x'], $request->cookies);
        self::assertSame(['rr_parsed_body' => false, 'ipAddress' => '9.9.9.9', 'empty' => null], $request->attributes);
        self::assertSame('9.9.9.9', $request->getRemoteAddr());
    }

    public function testAProtobufParsedRequestWithAnEmptyBodyIsAnEmptyForm(): void
    {
        [$http, $peer] = $this->worker();
        $peer->send(HttpContext::frame('proto', HttpContext::minimal([
            'method' => 'POST',
            'headers' => ['Content-Type' => ['application/x-www-form-urlencoded']],
            'parsed' => true,
        ])));

        $request = $http->waitRequest();

        self::assertNotNull($request);
        self::assertSame('{}', $request->body, 'as RoadRunner ≤ 2023.3 sent it, and as the official SDK fills it in');
        self::assertSame([], $request->getParsedBody());
    }

    public function testHeadersWithNumericOrEmptyNamesAreDropped(): void
    {
        [$http, $peer] = $this->worker();
        $peer->send(Frames::request(
            '{"remoteAddr":"","protocol":"HTTP/1.1","method":"GET","uri":"/","rawQuery":"","parsed":false,'
            . '"headers":{"123":["x"],"":["y"],"X-Ok":"single"},"cookies":null,"uploads":null,"attributes":null}',
            '',
            Frame::CODEC_JSON,
        ));

        $request = $http->waitRequest();

        self::assertNotNull($request);
        self::assertSame(['X-Ok' => ['single']], $request->headers);
        self::assertSame('', $request->remoteAddr);
    }

    public function testTheEncodingIsDetectedOncePerProcess(): void
    {
        [$http, $peer] = $this->worker();
        $peer->send(HttpContext::frame('json', HttpContext::minimal()));
        self::assertNotNull($http->waitRequest());

        [$other, $otherPeer] = $this->worker();
        $otherPeer->send(HttpContext::frame('proto', HttpContext::minimal()));

        try {
            $other->waitRequest();
            self::fail('a protobuf context after a JSON one is refused');
        } catch (RequestContextException $e) {
            self::assertStringContainsString('not JSON, though the first request of this process was', $e->getMessage());
            self::assertInstanceOf(\JsonException::class, $e->getPrevious());
        }
        self::assertSame(Frame::CODEC_JSON, HttpWorker::getCodec());
    }

    /**
     * @return iterable<string, array{string, string}>
     */
    public function invalidJsonContexts(): iterable
    {
        yield 'scalar' => ['"text"', 'expected a JSON object, got string'];
        yield 'missing keys' => ['{"method":"GET","uri":"/"}', 'missing remoteAddr, protocol, rawQuery, parsed'];
        yield 'method not a string' => ['{"remoteAddr":"","protocol":"","method":1,"uri":"/","rawQuery":"","parsed":false}', '"method" must be a string, got int'];
        yield 'parsed not a bool' => ['{"remoteAddr":"","protocol":"","method":"GET","uri":"/","rawQuery":"","parsed":"yes"}', '"parsed" must be a boolean'];
        yield 'headers not an object' => ['{"remoteAddr":"","protocol":"","method":"GET","uri":"/","rawQuery":"","parsed":false,"headers":"x"}', '"headers" must be an object or null'];
        yield 'header values not strings' => ['{"remoteAddr":"","protocol":"","method":"GET","uri":"/","rawQuery":"","parsed":false,"headers":{"A":[1]}}', 'header "A" must be a list of strings'];
        yield 'cookie not a string' => ['{"remoteAddr":"","protocol":"","method":"GET","uri":"/","rawQuery":"","parsed":false,"cookies":{"c":{}}}', 'cookie "c" must be a string'];
    }

    /**
     * @dataProvider invalidJsonContexts
     */
    public function testAnInvalidJsonContextIsRefused(string $context, string $message): void
    {
        [$http, $peer] = $this->worker();
        $peer->send(Frames::request($context, '', Frame::CODEC_JSON));

        $this->expectException(RequestContextException::class);
        $this->expectExceptionMessage($message);

        $http->waitRequest();
    }

    public function testAMalformedProtobufContextIsRefused(): void
    {
        [$http, $peer] = $this->worker();
        $peer->send(Frames::request("\x0a\x05abc", '', Frame::CODEC_PROTO));

        $this->expectException(RequestContextException::class);
        $this->expectExceptionMessage('Invalid protobuf http.v1.Request: field 1 at byte 1 announces 5 bytes, 3 left');

        $http->waitRequest();
    }

    public function testProtobufUploadsThatAreNotJsonAreRefused(): void
    {
        [$http, $peer] = $this->worker();
        $peer->send(Frames::request("\x4a\x03{x}", '', Frame::CODEC_PROTO));

        $this->expectException(RequestContextException::class);
        $this->expectExceptionMessage('uploads (field 9) is not JSON');

        $http->waitRequest();
    }

    public function testReturnsNullWhenTheServerStopsTheWorker(): void
    {
        [$http, $peer] = $this->worker();
        $peer->send(Frames::control('{"stop":true}'));

        self::assertNull($http->waitRequest());
        self::assertNull(HttpWorker::getCodec(), 'nothing was detected');
    }

    public function testRespondsWithAJsonContextAndTheJsonCodec(): void
    {
        [$http, $peer] = $this->request('json');

        $http->respond(201, 'created', ['Content-Type' => ['text/plain'], 'Location' => '/items/1']);

        $context = '{"status":201,"headers":{"Content-Type":["text\/plain"],"Location":["\/items\/1"]}}';
        self::assertSame(
            \bin2hex(Frame::pack(new Frame($context . 'created', [\strlen($context)], Frame::CODEC_JSON))),
            \bin2hex($peer->received()),
        );
    }

    public function testAJsonResponseWithoutHeadersSendsAnEmptyObject(): void
    {
        [$http, $peer] = $this->request('json');

        $http->respond(204);

        self::assertSame(
            \bin2hex(Frame::pack(new Frame('{"status":204,"headers":{}}', [27], Frame::CODEC_JSON))),
            \bin2hex($peer->received()),
        );
    }

    public function testRespondsWithAProtobufContextAndTheProtobufCodec(): void
    {
        [$http, $peer] = $this->request('proto');

        $http->respond(200, 'hello', ['Content-Type' => ['text/plain']]);

        // http.v1.Response{status: 200, headers: {"Content-Type": ["text/plain"]}}, checked with protoc
        $context = (string) \hex2bin('08c801121c0a0c436f6e74656e742d54797065120c0a0a746578742f706c61696e');
        self::assertSame(
            \bin2hex(Frame::pack(new Frame($context . 'hello', [\strlen($context)], Frame::CODEC_PROTO))),
            \bin2hex($peer->received()),
        );
    }

    public function testAProtobufResponseWithoutHeadersIsTheStatusAlone(): void
    {
        [$http, $peer] = $this->request('proto');

        $http->respond(404, 'nope');

        self::assertSame(
            \bin2hex(Frame::pack(new Frame("\x08\x94\x03nope", [3], Frame::CODEC_PROTO))),
            \bin2hex($peer->received()),
        );
    }

    /**
     * @dataProvider encodings
     */
    public function testSeveralSetCookieHeadersAreSentAsOneList(string $encoding): void
    {
        [$http, $peer] = $this->request($encoding);

        $http->respond(200, '', ['Set-Cookie' => ['a=1; Path=/', 'b=2; HttpOnly'], 'X-One' => 'v']);

        $frames = $peer->frames();
        self::assertCount(1, $frames);
        self::assertSame(
            ['status' => 200, 'headers' => ['Set-Cookie' => ['a=1; Path=/', 'b=2; HttpOnly'], 'X-One' => ['v']]],
            HttpContext::responseOf($frames[0]),
        );
        if ($encoding === 'proto') {
            self::assertSame(
                \bin2hex(HttpContext::protoResponse(200, ['Set-Cookie' => ['a=1; Path=/', 'b=2; HttpOnly'], 'X-One' => ['v']])),
                \bin2hex(\substr((string) $frames[0]->payload, 0, $frames[0]->options[0])),
            );
        } else {
            self::assertSame(
                '{"status":200,"headers":{"Set-Cookie":["a=1; Path=\/","b=2; HttpOnly"],"X-One":["v"]}}',
                $frames[0]->payload,
            );
        }
    }

    /**
     * @dataProvider encodings
     */
    public function testHeaderValuesAreNormalisedToListsOfStrings(string $encoding): void
    {
        [$http, $peer] = $this->request($encoding);
        $stringable = new class () {
            public function __toString(): string
            {
                return 'from-object';
            }
        };

        $http->respond(200, 'x', [
            'Content-Length' => 1,
            'X-Float' => [1.5],
            '123' => ['numeric name'],
            'X-Empty' => [],
            'X-Object' => $stringable,
        ]);

        $frames = $peer->frames();
        self::assertSame(
            ['Content-Length' => ['1'], 'X-Float' => ['1.5'], '123' => ['numeric name'], 'X-Object' => ['from-object']],
            HttpContext::responseOf($frames[0])['headers'],
            'scalars become strings, a numeric name stays a name, an empty list is left out',
        );
    }

    public function testAListOfHeadersWithIntegerKeysIsStillAJsonObject(): void
    {
        [$http, $peer] = $this->request('json');

        $http->respond(200, '', [0 => ['zero']]);

        self::assertSame('{"status":200,"headers":{"0":["zero"]}}', $peer->frames()[0]->payload);
    }

    /**
     * @return iterable<string, array{array<array-key, mixed>, string}>
     */
    public function invalidHeaders(): iterable
    {
        yield 'null value' => [['X-A' => null], 'Header "X-A" has a value of type null, expected a string'];
        yield 'bool in a list' => [['X-A' => ['ok', true]], 'Header "X-A" has a value of type bool'];
        yield 'nested list' => [['X-A' => [['a']]], 'Header "X-A" has a value of type array'];
        yield 'empty name' => [['' => ['a']], 'A header name must not be empty'];
    }

    /**
     * @dataProvider invalidHeaders
     *
     * @param array<array-key, mixed> $headers
     */
    public function testAnInvalidHeaderIsRefusedAndNothingIsSent(array $headers, string $message): void
    {
        [$http, $peer] = $this->request('json');

        try {
            $http->respond(200, 'body', $headers);
            self::fail('expected the headers to be refused');
        } catch (\InvalidArgumentException $e) {
            self::assertStringContainsString($message, $e->getMessage());
        }

        self::assertSame('', $peer->received());
    }

    public function testARespondBeforeAnyRequestSpeaksJsonWithoutCodec(): void
    {
        [$http, $peer] = $this->worker();

        $http->respond(200, 'early');

        $frames = $peer->frames();
        self::assertSame(0, $frames[0]->flags, 'as roadrunner-http does before the encoding is known');
        self::assertSame('{"status":200,"headers":{}}early', $frames[0]->payload);
    }

    /**
     * @dataProvider encodings
     */
    public function testAGeneratorBodyStreamsChunksThatRepeatStatusAndHeadersAndPingsAfterFive(string $encoding): void
    {
        [$http, $peer] = $this->request($encoding);
        $codec = $encoding === 'json' ? Frame::CODEC_JSON : Frame::CODEC_PROTO;
        $headers = ['Content-Type' => ['text/event-stream']];

        $http->respond(200, (static function (): \Generator {
            for ($i = 1; $i <= 7; ++$i) {
                yield "c$i";
            }

            return 'end';
        })(), $headers);

        $frames = $peer->frames();
        self::assertSame(
            [1, 1, 1, 1, 1, 1 | 4, 1, 0],
            \array_map(static fn(Frame $f): int => $f->byte10, $frames),
            'STREAM on the 7 chunks, PING rides on the 6th, the final frame has neither',
        );
        self::assertSame(
            ['c1', 'c2', 'c3', 'c4', 'c5', 'c6', 'c7', 'end'],
            \array_map(HttpContext::bodyOf(...), $frames),
        );
        $context = $encoding === 'json'
            ? '{"status":200,"headers":{"Content-Type":["text\/event-stream"]}}'
            : HttpContext::protoResponse(200, $headers);
        foreach ($frames as $i => $frame) {
            self::assertSame($codec, $frame->flags, "frame $i carries the codec");
            self::assertSame([\strlen($context)], $frame->options);
            self::assertSame(\bin2hex($context), \bin2hex(\substr((string) $frame->payload, 0, \strlen($context))), "frame $i repeats the context");
        }
        $first = new Frame($context . 'c1', [\strlen($context)], $codec);
        $first->byte10 = Frame::BYTE10_STREAM;
        self::assertSame(\bin2hex(Frame::pack($first)), \bin2hex(Frame::pack($frames[0])), 'exact bytes of a chunk');
    }

    public function testAPongBetweenChunksIsConsumedAndAllowsTheNextPing(): void
    {
        [$http, $peer] = $this->request('json');

        $http->respond(200, (static function () use ($peer): \Generator {
            for ($i = 1; $i <= 12; ++$i) {
                if ($i === 8) {
                    $peer->send(Frames::pong());
                }
                yield "c$i";
            }
        })());

        self::assertSame(
            [1, 1, 1, 1, 1, 5, 1, 1, 1, 1, 5, 1, 0],
            \array_map(static fn(Frame $f): int => $f->byte10, $peer->frames()),
            'PING on chunks 6 and 11; the second only because the PONG was read in between',
        );
    }

    public function testAnIterableBodyStreamsToo(): void
    {
        [$http, $peer] = $this->request('json');

        $http->respond(200, new \ArrayIterator(['a', 'b']));

        $frames = $peer->frames();
        self::assertSame([1, 1, 0], \array_map(static fn(Frame $f): int => $f->byte10, $frames));
        self::assertSame(['a', 'b', ''], \array_map(HttpContext::bodyOf(...), $frames));
    }

    public function testWithoutEndOfStreamAnEmptyReturnSendsNoFinalFrame(): void
    {
        [$http, $peer] = $this->request('json');

        $http->respond(200, (static fn(): \Generator => yield 'part 1')(), [], false);
        $http->respond(200, 'part 2');

        $frames = $peer->frames();
        self::assertSame([1, 0], \array_map(static fn(Frame $f): int => $f->byte10, $frames));
        self::assertSame(['part 1', 'part 2'], \array_map(HttpContext::bodyOf(...), $frames));
    }

    public function testAStringBodyWithoutEndOfStreamIsAChunk(): void
    {
        [$http, $peer] = $this->request('proto');

        $http->respond(200, 'a', [], false);
        $http->respond(200, 'b');

        $frames = $peer->frames();
        self::assertSame([1, 0], \array_map(static fn(Frame $f): int => $f->byte10, $frames));
        self::assertSame([Frame::CODEC_PROTO, Frame::CODEC_PROTO], \array_map(static fn(Frame $f): int => $f->flags, $frames));
    }

    /**
     * @dataProvider encodings
     */
    public function testEarlyHintsGoOutAsAStreamFrameBeforeTheFinalResponse(string $encoding): void
    {
        [$http, $peer] = $this->request($encoding);
        $links = ['</style.css>; rel=preload; as=style', '</app.js>; rel=preload; as=script'];

        $http->respond(103, '', ['Link' => $links], false);
        $http->respond(200, 'page', ['Content-Type' => ['text/html']]);

        $frames = $peer->frames();
        self::assertCount(2, $frames);
        self::assertSame(Frame::BYTE10_STREAM, $frames[0]->byte10);
        self::assertSame(['status' => 103, 'headers' => ['Link' => $links]], HttpContext::responseOf($frames[0]));
        self::assertSame('', HttpContext::bodyOf($frames[0]));
        self::assertSame(0, $frames[1]->byte10);
        self::assertSame(['status' => 200, 'headers' => ['Content-Type' => ['text/html']]], HttpContext::responseOf($frames[1]));
        self::assertSame('page', HttpContext::bodyOf($frames[1]));
        if ($encoding === 'json') {
            self::assertSame(
                '{"status":103,"headers":{"Link":["<\/style.css>; rel=preload; as=style","<\/app.js>; rel=preload; as=script"]}}',
                $frames[0]->payload,
            );
        }
    }

    /**
     * @return iterable<string, array{int, mixed}>
     */
    public function informationalWithBody(): iterable
    {
        yield '103 with a string' => [103, 'body'];
        yield '100 with a generator' => [100, (static fn(): \Generator => yield '')()];
        yield '199 with an array' => [199, []];
    }

    /**
     * @dataProvider informationalWithBody
     *
     * @param string|iterable<mixed> $body
     */
    public function testAnInformationalStatusWithABodyIsRefused(int $status, string|iterable $body): void
    {
        [$http, $peer] = $this->request('json');

        try {
            $http->respond($status, $body, [], false);
            self::fail('expected the body to be refused');
        } catch (\InvalidArgumentException $e) {
            self::assertSame('Unable to send a body with informational status code.', $e->getMessage());
        }

        self::assertSame('', $peer->received());
    }

    public function testAStopIsThrownIntoTheGeneratorAndATerminatingFrameEndsTheStream(): void
    {
        [$http, $peer] = $this->request('json', socket: true);
        $caught = null;
        $resumed = false;

        $http->respond(200, (static function () use ($peer, &$caught, &$resumed): \Generator {
            yield 'c1';
            yield 'c2';
            $peer->send(Frames::streamStop()); // the client went away
            try {
                yield 'c3';
            } catch (StreamStoppedException $e) {
                $caught = $e;
            }
            $resumed = true;
            yield 'never sent';
        })());

        self::assertInstanceOf(StreamStoppedException::class, $caught);
        self::assertInstanceOf(WorkerStreamStoppedException::class, $caught, 'a generator may catch either class');
        self::assertInstanceOf(WorkerStreamStoppedException::class, $caught->getPrevious());
        self::assertTrue($resumed, 'the generator ran on to its next yield');

        $frames = $peer->frames();
        self::assertSame(['c1', 'c2'], \array_map(HttpContext::bodyOf(...), \array_slice($frames, 0, 2)));
        self::assertSame(
            \bin2hex(Frame::pack(new Frame('', [0], 0))),
            \bin2hex(Frame::pack($frames[2])),
            'empty terminating payload: option [0], no context, no codec, no STREAM',
        );
        self::assertCount(3, $frames);

        $http->respond(200, 'too late');
        self::assertSame('', $peer->received(), 'the request is over for the server: nothing more is sent');

        $peer->send(HttpContext::frame('json', HttpContext::minimal()));
        self::assertNotNull($http->waitRequest());
        $http->respond(200, 'next');
        self::assertSame(['next'], \array_map(HttpContext::bodyOf(...), $peer->frames()), 'the next request is answered again');
    }

    public function testOnPipesTheStopIsNoticedOnceThePongIsDue(): void
    {
        [$http, $peer] = $this->request('proto');
        $caught = false;

        $http->respond(200, (static function () use ($peer, &$caught): \Generator {
            try {
                for ($i = 1; $i <= 10; ++$i) {
                    if ($i === 3) {
                        $peer->send(Frames::streamStop());
                    }
                    yield "c$i";
                }
            } catch (StreamStoppedException) {
                $caught = true;
            }
        })());

        self::assertTrue($caught);
        $frames = $peer->frames();
        self::assertSame(
            ['c1', 'c2', 'c3', 'c4', 'c5', 'c6', ''],
            \array_map(HttpContext::bodyOf(...), $frames),
            'the pipe relay is read once the PING went out with c6',
        );
        self::assertSame([1, 1, 1, 1, 1, 5, 0], \array_map(static fn(Frame $f): int => $f->byte10, $frames));
        self::assertSame(0, $frames[6]->flags);
    }

    public function testAGeneratorThatIgnoresTheStopStillEndsTheStreamQuietly(): void
    {
        [$http, $peer] = $this->request('json', socket: true);
        $log = $this->captureErrorLog();

        $http->respond(200, (static function () use ($peer): \Generator {
            yield 'c1';
            $peer->send(Frames::streamStop());
            yield 'c2';
        })());

        self::assertSame(['c1', ''], \array_map(HttpContext::bodyOf(...), $peer->frames()));
        self::assertSame('', $log(), 'a stop is not an error');
    }

    public function testAGeneratorFailingMidStreamEndsTheStreamAndIsLogged(): void
    {
        [$http, $peer] = $this->request('json');
        $log = $this->captureErrorLog();

        $http->respond(200, (static function (): \Generator {
            yield 'c1';

            throw new \RuntimeException('kaput');
        })());

        $frames = $peer->frames();
        self::assertSame(['c1', ''], \array_map(HttpContext::bodyOf(...), $frames));
        self::assertSame([1, 0], \array_map(static fn(Frame $f): int => $f->byte10, $frames));
        self::assertStringContainsString('the response body failed after the stream had started', $log());
        self::assertStringContainsString('RuntimeException: kaput', $log());

        $http->respond(500, 'error page');
        self::assertSame('', $peer->received(), 'the request was ended');
    }

    public function testAGeneratorFailingBeforeItsFirstChunkPropagatesWithNothingSent(): void
    {
        [$http, $peer] = $this->request('json');

        try {
            $http->respond(200, (static function (): \Generator {
                throw new \RuntimeException('no data');
                yield 'unreachable'; // @phpstan-ignore-line
            })());
            self::fail('expected the exception');
        } catch (\RuntimeException $e) {
            self::assertSame('no data', $e->getMessage());
        }

        self::assertSame('', $peer->received(), 'the caller can still answer with an error');
    }

    public function testAChunkThatIsNotAStringIsRefused(): void
    {
        [$http, $peer] = $this->request('json');

        $this->expectException(\InvalidArgumentException::class);
        $this->expectExceptionMessage('A response body chunk must be a string, got array');

        try {
            $http->respond(200, (static fn(): \Generator => yield ['no'])());
        } finally {
            self::assertSame('', $peer->received());
        }
    }

    /**
     * @return array{HttpWorker, Peer}
     */
    private function worker(bool $socket = false): array
    {
        $peer = $socket ? Peer::socket() : Peer::pipes();
        $this->peers[] = $peer;

        return [new HttpWorker($peer->worker), $peer];
    }

    /**
     * A worker that has received one request in the given encoding.
     *
     * @return array{HttpWorker, Peer}
     */
    private function request(string $encoding, bool $socket = false): array
    {
        [$http, $peer] = $this->worker($socket);
        $peer->send(HttpContext::frame($encoding, HttpContext::minimal()));
        self::assertNotNull($http->waitRequest());

        return [$http, $peer];
    }

    /**
     * Sends error_log() to a temporary file until the test ends.
     *
     * @return \Closure(): string reads what was logged
     */
    private function captureErrorLog(): \Closure
    {
        $file = (string) \tempnam(\sys_get_temp_dir(), 'rr-log-');
        $previous = (string) \ini_get('error_log');
        \ini_set('error_log', $file);
        $this->errorLog = [$file, $previous];

        return static function () use ($file): string {
            return (string) \file_get_contents($file);
        };
    }
}
