<?php

declare(strict_types=1);

namespace RR\Tests\Http;

use Nyholm\Psr7\Factory\Psr17Factory;
use PHPUnit\Framework\TestCase;
use Psr\Http\Message\StreamInterface;
use Psr\Http\Message\UploadedFileInterface;
use RR\Goridge\Frame;
use RR\Http\HttpWorker;
use RR\Http\PSR7Worker;
use RR\Tests\Support\Frames;
use RR\Tests\Support\HttpContext;
use RR\Tests\Support\Peer;
use RR\Tests\Support\Psr7;

/**
 * PSR7Worker with Nyholm's PSR-17 factory against a fake server writing raw frames.
 */
final class PSR7WorkerTest extends TestCase
{
    private const FORM = '{"name":"ann","tags":["a","b"]}';

    private Psr17Factory $factory;

    /** @var list<Peer> */
    private array $peers = [];

    /** @var array<array-key, mixed> */
    private array $server;

    private string $dir;

    protected function setUp(): void
    {
        $this->factory = Psr7::factory();
        $this->server = $_SERVER;
        HttpWorker::resetCodec();
        $this->dir = \sys_get_temp_dir() . '/rr-php-sdk-' . \bin2hex(\random_bytes(6));
        \mkdir($this->dir, 0700);
    }

    protected function tearDown(): void
    {
        foreach ($this->peers as $peer) {
            $peer->close();
        }
        $this->peers = [];
        HttpWorker::resetCodec();
        $_SERVER = $this->server;
        foreach (\glob($this->dir . '/*') ?: [] as $file) {
            \unlink($file);
        }
        \rmdir($this->dir);
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
    public function testBuildsAServerRequestFromEveryField(string $encoding): void
    {
        [$psr7, $peer] = $this->worker();
        $avatar = $this->tmpFile('avatar', 'PNG');
        $pdf = $this->tmpFile('pdf', '%PDF-1.7 x');
        $uploads = [
            'avatar' => ['name' => 'me.png', 'mime' => 'image/png', 'size' => 3, 'error' => 0, 'tmpName' => $avatar],
            'docs' => [
                'pdf' => [
                    ['name' => 'a.pdf', 'mime' => 'application/pdf', 'size' => 10, 'error' => 0, 'tmpName' => $pdf],
                    ['name' => '', 'mime' => '', 'size' => 0, 'error' => \UPLOAD_ERR_NO_FILE, 'tmpName' => ''],
                ],
            ],
            // a form field called "name" holding a file is a branch, not a file
            'name' => ['error' => ['name' => 'e.txt', 'mime' => 'text/plain', 'size' => 0, 'error' => \UPLOAD_ERR_PARTIAL, 'tmpName' => '']],
        ];
        $peer->send(HttpContext::frame($encoding, [
            'remoteAddr' => '10.0.0.1',
            'protocol' => 'HTTP/2.0',
            'method' => 'POST',
            'uri' => 'https://example.com/upload?x=1&a[b]=2&list[]=3',
            'headers' => [
                'Content-Type' => ['multipart/form-data; boundary=xyz'],
                'Accept' => ['text/html', 'application/json'],
                'X-Request-Id' => ['42'],
            ],
            'cookies' => ['session' => 'abc 123', 'theme' => 'dark'],
            'rawQuery' => 'x=1&a[b]=2&list[]=3',
            'parsed' => true,
            'uploads' => $uploads,
            'attributes' => ['ipAddress' => '192.168.1.5', 'route' => 'upload'],
        ], self::FORM));

        $before = \time();
        $request = $psr7->waitRequest();

        self::assertNotNull($request);
        self::assertSame('POST', $request->getMethod());
        self::assertSame('https://example.com/upload?x=1&a%5Bb%5D=2&list%5B%5D=3', (string) $request->getUri());
        self::assertSame('2', $request->getProtocolVersion());
        self::assertSame([
            'Host' => ['example.com'],
            'Content-Type' => ['multipart/form-data; boundary=xyz'],
            'Accept' => ['text/html', 'application/json'],
            'X-Request-Id' => ['42'],
        ], $request->getHeaders(), 'Host comes from the URI, as RoadRunner sends none');
        self::assertSame(['session' => 'abc 123', 'theme' => 'dark'], $request->getCookieParams());
        self::assertSame(['x' => '1', 'a' => ['b' => '2'], 'list' => ['3']], $request->getQueryParams());
        self::assertSame(['name' => 'ann', 'tags' => ['a', 'b']], $request->getParsedBody());
        self::assertSame(self::FORM, (string) $request->getBody());
        self::assertSame(
            ['rr_parsed_body' => true, 'ipAddress' => '192.168.1.5', 'route' => 'upload'],
            $request->getAttributes(),
        );

        $files = $request->getUploadedFiles();
        self::assertSame(['avatar', 'docs', 'name'], \array_keys($files));
        $this->assertFile($files['avatar'], 'me.png', 'image/png', 3, \UPLOAD_ERR_OK, 'PNG');
        $this->assertFile($files['docs']['pdf'][0], 'a.pdf', 'application/pdf', 10, \UPLOAD_ERR_OK, '%PDF-1.7 x');
        self::assertInstanceOf(UploadedFileInterface::class, $files['docs']['pdf'][1]);
        self::assertSame(\UPLOAD_ERR_NO_FILE, $files['docs']['pdf'][1]->getError());
        self::assertSame(0, $files['docs']['pdf'][1]->getSize());
        self::assertInstanceOf(UploadedFileInterface::class, $files['name']['error']);
        self::assertSame('e.txt', $files['name']['error']->getClientFilename());
        self::assertSame(\UPLOAD_ERR_PARTIAL, $files['name']['error']->getError());

        $server = $request->getServerParams();
        self::assertSame($_SERVER, $server, '$_SERVER is replaced for the request');
        self::assertSame('https://example.com/upload?x=1&a[b]=2&list[]=3', $server['REQUEST_URI']);
        self::assertSame('192.168.1.5', $server['REMOTE_ADDR']);
        self::assertSame('POST', $server['REQUEST_METHOD']);
        self::assertSame('multipart/form-data; boundary=xyz', $server['CONTENT_TYPE']);
        self::assertArrayNotHasKey('HTTP_CONTENT_TYPE', $server);
        self::assertSame('text/html, application/json', $server['HTTP_ACCEPT']);
        self::assertSame('42', $server['HTTP_X_REQUEST_ID']);
        self::assertSame('', $server['HTTP_USER_AGENT']);
        self::assertIsInt($server['REQUEST_TIME']);
        self::assertGreaterThanOrEqual($before, $server['REQUEST_TIME']);
        self::assertIsFloat($server['REQUEST_TIME_FLOAT']);
        self::assertArrayHasKey('argv', $server, 'the process\'s own $_SERVER is the base');
    }

    public function testServerParamsOfOneRequestDoNotLeakIntoTheNext(): void
    {
        [$psr7, $peer] = $this->worker();
        $peer->send(HttpContext::frame('json', HttpContext::minimal([
            'headers' => ['X-Secret' => ['1'], 'User-Agent' => ['curl/8'], 'Content-Length' => ['0']],
        ])));
        $first = $psr7->waitRequest();
        self::assertNotNull($first);
        self::assertSame('curl/8', $first->getServerParams()['HTTP_USER_AGENT']);
        self::assertSame('0', $first->getServerParams()['CONTENT_LENGTH']);

        $peer->send(HttpContext::frame('json', HttpContext::minimal(['remoteAddr' => '::1'])));
        $second = $psr7->waitRequest();

        self::assertNotNull($second);
        self::assertArrayNotHasKey('HTTP_X_SECRET', $second->getServerParams());
        self::assertArrayNotHasKey('CONTENT_LENGTH', $second->getServerParams());
        self::assertArrayNotHasKey('HTTP_X_SECRET', $_SERVER);
        self::assertSame('', $second->getServerParams()['HTTP_USER_AGENT']);
        self::assertSame('::1', $second->getServerParams()['REMOTE_ADDR']);
    }

    /**
     * @return iterable<string, array{string, string}>
     */
    public function protocols(): iterable
    {
        yield 'HTTP/1.0' => ['HTTP/1.0', '1.0'];
        yield 'HTTP/1.1' => ['HTTP/1.1', '1.1'];
        yield 'HTTP/2.0' => ['HTTP/2.0', '2'];
        yield 'HTTP/2' => ['HTTP/2', '2'];
        yield 'HTTP/3.0 is unknown' => ['HTTP/3.0', '1.1'];
        yield 'empty' => ['', '1.1'];
    }

    /**
     * @dataProvider protocols
     */
    public function testNormalisesTheProtocolVersion(string $protocol, string $version): void
    {
        [$psr7, $peer] = $this->worker();
        $peer->send(HttpContext::frame('proto', HttpContext::minimal(['protocol' => $protocol])));

        self::assertSame($version, $psr7->waitRequest()?->getProtocolVersion());
    }

    /**
     * @dataProvider encodings
     */
    public function testARawBodyIsTheBodyStreamWithoutParsedBody(string $encoding): void
    {
        [$psr7, $peer] = $this->worker();
        $peer->send(HttpContext::frame($encoding, HttpContext::minimal([
            'method' => 'POST',
            'headers' => ['Content-Type' => ['application/json']],
        ]), '{"raw":true}'));

        $request = $psr7->waitRequest();

        self::assertNotNull($request);
        self::assertNull($request->getParsedBody());
        self::assertSame('{"raw":true}', (string) $request->getBody());
        self::assertFalse($request->getAttribute('rr_parsed_body'));
        self::assertSame([], $request->getUploadedFiles());
    }

    public function testAProtobufFormWithoutFieldsIsAnEmptyParsedBody(): void
    {
        [$psr7, $peer] = $this->worker();
        $peer->send(HttpContext::frame('proto', HttpContext::minimal([
            'method' => 'POST',
            'headers' => ['Content-Type' => ['application/x-www-form-urlencoded']],
            'parsed' => true,
        ])));

        $request = $psr7->waitRequest();

        self::assertNotNull($request);
        self::assertSame([], $request->getParsedBody());
        self::assertTrue($request->getAttribute('rr_parsed_body'));
    }

    public function testAnEmptyBodyLeavesTheFactoryDefaultStream(): void
    {
        [$psr7, $peer] = $this->worker();
        $peer->send(HttpContext::frame('json', HttpContext::minimal(['method' => 'HEAD'])));

        $request = $psr7->waitRequest();

        self::assertNotNull($request);
        self::assertSame('HEAD', $request->getMethod());
        self::assertSame('', (string) $request->getBody());
    }

    public function testReturnsNullWhenTheServerStopsTheWorker(): void
    {
        [$psr7, $peer] = $this->worker();
        $peer->send(Frames::control('{"stop":true}'));

        self::assertNull($psr7->waitRequest());
    }

    public function testRespondsWithStatusHeadersAndBodyInJson(): void
    {
        [$psr7, $peer] = $this->request('json');

        $psr7->respond($this->factory->createResponse(201)
            ->withHeader('Content-Type', 'text/plain')
            ->withAddedHeader('Set-Cookie', 'a=1; Path=/')
            ->withAddedHeader('Set-Cookie', 'b=2; HttpOnly')
            ->withBody($this->factory->createStream('created')));

        $context = '{"status":201,"headers":{"Content-Type":["text\/plain"],"Set-Cookie":["a=1; Path=\/","b=2; HttpOnly"]}}';
        self::assertSame(
            \bin2hex(Frame::pack(new Frame($context . 'created', [\strlen($context)], Frame::CODEC_JSON))),
            \bin2hex($peer->received()),
        );
    }

    public function testRespondsWithStatusHeadersAndBodyInProtobuf(): void
    {
        [$psr7, $peer] = $this->request('proto');

        $psr7->respond($this->factory->createResponse(200)
            ->withHeader('Set-Cookie', ['a=1', 'b=2'])
            ->withBody($this->factory->createStream('ok')));

        $context = HttpContext::protoResponse(200, ['Set-Cookie' => ['a=1', 'b=2']]);
        self::assertSame(
            \bin2hex(Frame::pack(new Frame($context . 'ok', [\strlen($context)], Frame::CODEC_PROTO))),
            \bin2hex($peer->received()),
        );
    }

    /**
     * @dataProvider encodings
     */
    public function testAPositiveChunkSizeStreamsTheBody(string $encoding): void
    {
        [$psr7, $peer] = $this->request($encoding);
        $psr7->chunkSize = 4;

        $psr7->respond($this->factory->createResponse(200)
            ->withHeader('Content-Type', 'text/plain')
            ->withBody($this->factory->createStream('abcdefghij')));

        $frames = $peer->frames();
        self::assertSame(['abcd', 'efgh', 'ij'], \array_map(HttpContext::bodyOf(...), $frames), 'the last piece rides on the final frame');
        self::assertSame([1, 1, 0], \array_map(static fn(Frame $f): int => $f->byte10, $frames));
        foreach ($frames as $frame) {
            self::assertSame($encoding === 'json' ? Frame::CODEC_JSON : Frame::CODEC_PROTO, $frame->flags);
            self::assertSame(['status' => 200, 'headers' => ['Content-Type' => ['text/plain']]], HttpContext::responseOf($frame));
        }
    }

    public function testChunkedStreamingReadsFromTheStartOfTheBody(): void
    {
        [$psr7, $peer] = $this->request('json');
        $psr7->chunkSize = 3;
        $body = $this->factory->createStream('abcdef');
        $body->seek(4);

        $psr7->respond($this->factory->createResponse(200)->withBody($body));

        self::assertSame(['abc', 'def'], \array_map(HttpContext::bodyOf(...), $peer->frames()));
    }

    /**
     * @return iterable<string, array{int, string}>
     */
    public function smallBodies(): iterable
    {
        yield 'shorter than a chunk' => [10, 'abcdef'];
        yield 'exactly one chunk' => [6, 'abcdef'];
        yield 'empty' => [4, ''];
    }

    /**
     * @dataProvider smallBodies
     */
    public function testABodyThatFitsOneChunkGoesInOneFrame(int $chunkSize, string $body): void
    {
        [$psr7, $peer] = $this->request('json');
        $psr7->chunkSize = $chunkSize;

        $psr7->respond($this->factory->createResponse(200)->withBody($this->factory->createStream($body)));

        $frames = $peer->frames();
        self::assertCount(1, $frames);
        self::assertSame(0, $frames[0]->byte10);
        self::assertSame($body, HttpContext::bodyOf($frames[0]));
    }

    public function testABodyOfUnknownSizeIsSentChunkByChunkThenAnEmptyFinalFrame(): void
    {
        [$psr7, $peer] = $this->request('json');
        $psr7->chunkSize = 4;

        $psr7->respond($this->factory->createResponse(200)->withBody($this->unsizedStream('abcdefghij')));

        $frames = $peer->frames();
        self::assertSame(['abcd', 'efgh', 'ij', ''], \array_map(HttpContext::bodyOf(...), $frames));
        self::assertSame([1, 1, 1, 0], \array_map(static fn(Frame $f): int => $f->byte10, $frames));
    }

    public function testAChunkedResponseStoppedByTheServerEndsWithATerminatingFrame(): void
    {
        [$psr7, $peer] = $this->request('json', socket: true);
        $psr7->chunkSize = 2;
        $reads = 0;

        $psr7->respond($this->factory->createResponse(200)->withBody($this->unsizedStream('aabbccdd', static function () use ($peer, &$reads): void {
            if (++$reads === 2) {
                $peer->send(Frames::streamStop()); // the client went away after the first chunk
            }
        })));

        $frames = $peer->frames();
        self::assertSame(['aa', ''], \array_map(HttpContext::bodyOf(...), $frames));
        self::assertSame(\bin2hex(Frame::pack(new Frame('', [0]))), \bin2hex(Frame::pack($frames[1])));
    }

    public function testAZeroChunkSizeSendsTheWholeBodyInOneFrame(): void
    {
        [$psr7, $peer] = $this->request('json');
        self::assertSame(0, $psr7->chunkSize);

        $psr7->respond($this->factory->createResponse(200)->withBody($this->unsizedStream(\str_repeat('x', 100))));

        $frames = $peer->frames();
        self::assertCount(1, $frames);
        self::assertSame(\str_repeat('x', 100), HttpContext::bodyOf($frames[0]));
    }

    /**
     * @return iterable<string, array{int}>
     */
    public function chunkSizes(): iterable
    {
        yield 'whole body' => [0];
        yield 'chunked' => [4];
    }

    /**
     * @dataProvider chunkSizes
     */
    public function testAnInformationalResponseIsSentAsAnInterimFrame(int $chunkSize): void
    {
        [$psr7, $peer] = $this->request('proto');
        $psr7->chunkSize = $chunkSize;

        $psr7->respond($this->factory->createResponse(103)->withHeader('Link', ['</a.css>; rel=preload', '</b.js>; rel=preload']));
        $psr7->respond($this->factory->createResponse(200)->withBody($this->factory->createStream('ok')));

        $frames = $peer->frames();
        self::assertCount(2, $frames);
        self::assertSame(Frame::BYTE10_STREAM, $frames[0]->byte10);
        self::assertSame(['status' => 103, 'headers' => ['Link' => ['</a.css>; rel=preload', '</b.js>; rel=preload']]], HttpContext::responseOf($frames[0]));
        self::assertSame('', HttpContext::bodyOf($frames[0]));
        self::assertSame(0, $frames[1]->byte10);
        self::assertSame('ok', HttpContext::bodyOf($frames[1]));
    }

    public function testAnInformationalResponseWithABodyIsRefused(): void
    {
        [$psr7, $peer] = $this->request('json');

        try {
            $psr7->respond($this->factory->createResponse(100)->withBody($this->factory->createStream('no')));
            self::fail('expected the body to be refused');
        } catch (\InvalidArgumentException $e) {
            self::assertSame('Unable to send a body with informational status code.', $e->getMessage());
        }
        self::assertSame('', $peer->received());
    }

    public function testExposesTheWorkers(): void
    {
        [$psr7, $peer] = $this->worker();

        self::assertSame($peer->worker, $psr7->getWorker());
        self::assertSame($peer->worker, $psr7->getHttpWorker()->getWorker());
    }

    private function assertFile(mixed $file, string $name, string $mime, int $size, int $error, string $contents): void
    {
        self::assertInstanceOf(UploadedFileInterface::class, $file);
        self::assertSame($name, $file->getClientFilename());
        self::assertSame($mime, $file->getClientMediaType());
        self::assertSame($size, $file->getSize());
        self::assertSame($error, $file->getError());
        self::assertSame($contents, (string) $file->getStream());
    }

    private function tmpFile(string $name, string $contents): string
    {
        $path = $this->dir . '/' . $name;
        \file_put_contents($path, $contents);

        return $path;
    }

    /**
     * A read-only, non-seekable stream of unknown size, like a pipe.
     *
     * @param (\Closure(): void)|null $onRead called before every read
     */
    private function unsizedStream(string $contents, ?\Closure $onRead = null): StreamInterface
    {
        $inner = $this->factory->createStream($contents);
        $inner->rewind();

        return new class ($inner, $onRead) implements StreamInterface {
            public function __construct(private readonly StreamInterface $inner, private readonly ?\Closure $onRead)
            {
            }

            public function __toString(): string
            {
                return $this->getContents();
            }

            public function close(): void
            {
                $this->inner->close();
            }

            public function detach()
            {
                return $this->inner->detach();
            }

            public function getSize(): ?int
            {
                return null;
            }

            public function tell(): int
            {
                return $this->inner->tell();
            }

            public function eof(): bool
            {
                return $this->inner->eof();
            }

            public function isSeekable(): bool
            {
                return false;
            }

            public function seek($offset, $whence = \SEEK_SET): void
            {
                throw new \RuntimeException('not seekable');
            }

            public function rewind(): void
            {
                throw new \RuntimeException('not seekable');
            }

            public function isWritable(): bool
            {
                return false;
            }

            public function write($string): int
            {
                throw new \RuntimeException('not writable');
            }

            public function isReadable(): bool
            {
                return true;
            }

            public function read($length): string
            {
                if ($this->onRead !== null) {
                    ($this->onRead)();
                }

                return $this->inner->read($length);
            }

            public function getContents(): string
            {
                return $this->inner->getContents();
            }

            public function getMetadata($key = null)
            {
                return $this->inner->getMetadata($key);
            }
        };
    }

    /**
     * @return array{PSR7Worker, Peer}
     */
    private function worker(bool $socket = false): array
    {
        $peer = $socket ? Peer::socket() : Peer::pipes();
        $this->peers[] = $peer;

        return [new PSR7Worker($peer->worker, $this->factory, $this->factory, $this->factory), $peer];
    }

    /**
     * @return array{PSR7Worker, Peer}
     */
    private function request(string $encoding, bool $socket = false): array
    {
        [$psr7, $peer] = $this->worker($socket);
        $peer->send(HttpContext::frame($encoding, HttpContext::minimal()));
        self::assertNotNull($psr7->waitRequest());

        return [$psr7, $peer];
    }
}
