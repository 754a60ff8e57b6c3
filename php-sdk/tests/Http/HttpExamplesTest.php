<?php

declare(strict_types=1);

namespace RR\Tests\Http;

use PHPUnit\Framework\TestCase;
use RR\Goridge\Frame;
use RR\Tests\Support\Frames;
use RR\Tests\Support\HttpContext;
use RR\Tests\Support\Process;
use RR\Tests\Support\Psr7;
use RR\Tests\Support\Vectors;

/**
 * examples/http-worker.php and examples/psr7-worker.php as real processes over pipes, with the test
 * playing rr in each request encoding.
 */
final class HttpExamplesTest extends TestCase
{
    private const EXAMPLES = __DIR__ . '/../../examples/';

    private Process $process;

    /**
     * @return iterable<string, array{string, string}>
     */
    public function workers(): iterable
    {
        foreach (['http-worker.php', 'psr7-worker.php'] as $script) {
            yield "$script, json" => [$script, 'json'];
            yield "$script, protobuf" => [$script, 'proto'];
        }
    }

    /**
     * @dataProvider workers
     */
    public function testServesEveryRouteAndExitsOnStop(string $script, string $encoding): void
    {
        if ($script === 'psr7-worker.php') {
            Psr7::factory(); // fails with a clear message when Nyholm is missing
        }
        $codec = $encoding === 'json' ? Frame::CODEC_JSON : Frame::CODEC_PROTO;
        $psr7 = $script === 'psr7-worker.php';
        $this->process = new Process(self::EXAMPLES . $script, [], ['RR_RELAY' => 'pipes']);

        \fwrite($this->process->stdin(), Vectors::bytes('pid-request'));
        $pid = Frames::readOne($this->process->stdout());
        self::assertSame(['pid' => $this->process->pid()], \json_decode((string) $pid->payload, true));

        // /
        [$frame] = $this->exchange($encoding, HttpContext::minimal(['uri' => 'http://localhost/']));
        self::assertSame($codec, $frame->flags, 'answers in the encoding of the request');
        self::assertSame(['status' => 200, 'headers' => ['Content-Type' => ['text/plain; charset=utf-8']]], HttpContext::responseOf($frame));
        self::assertSame('hello', HttpContext::bodyOf($frame));

        // /echo with a raw body
        [$frame] = $this->exchange($encoding, HttpContext::minimal([
            'method' => 'POST',
            'uri' => 'http://localhost/echo?a=1&b[]=2',
            'rawQuery' => 'a=1&b[]=2',
            'headers' => ['X-A' => ['1', '2'], 'Content-Type' => ['text/plain']],
            'cookies' => ['c' => 'v'],
        ]), 'payload');
        self::assertSame(200, HttpContext::responseOf($frame)['status']);
        $echo = \json_decode(HttpContext::bodyOf($frame), true, 512, \JSON_THROW_ON_ERROR);
        $headers = ['X-A' => ['1', '2'], 'Content-Type' => ['text/plain']];
        self::assertSame([
            'method' => 'POST',
            'uri' => $psr7 ? 'http://localhost/echo?a=1&b%5B%5D=2' : 'http://localhost/echo?a=1&b[]=2',
            'headers' => $psr7 ? ['Host' => ['localhost']] + $headers : $headers,
            'query' => ['a' => '1', 'b' => ['2']],
            'cookies' => ['c' => 'v'],
            'parsed' => null,
            'body' => 'payload',
        ], $echo);

        // /echo with a form
        [$frame] = $this->exchange($encoding, HttpContext::minimal([
            'method' => 'POST',
            'uri' => 'http://localhost/echo',
            'headers' => ['Content-Type' => ['application/x-www-form-urlencoded']],
            'parsed' => true,
        ]), '{"f":["v","w"]}');
        $echo = \json_decode(HttpContext::bodyOf($frame), true, 512, \JSON_THROW_ON_ERROR);
        self::assertSame(['f' => ['v', 'w']], $echo['parsed']);

        // /stream
        $frames = $this->exchange($encoding, HttpContext::minimal(['uri' => 'http://localhost/stream?n=3', 'rawQuery' => 'n=3']));
        self::assertSame("chunk 001\nchunk 002\nchunk 003\n", \implode('', \array_map(HttpContext::bodyOf(...), $frames)));
        self::assertSame(
            $psr7 ? [1, 1, 0] : [1, 1, 1, 0],
            \array_map(static fn(Frame $f): int => $f->byte10, $frames),
            $psr7 ? 'PSR7Worker puts the last chunk in the final frame' : 'three chunks and an empty final frame',
        );
        foreach ($frames as $frame) {
            self::assertSame($codec, $frame->flags);
            self::assertSame(200, HttpContext::responseOf($frame)['status']);
        }

        // /early-hints
        $frames = $this->exchange($encoding, HttpContext::minimal(['uri' => 'http://localhost/early-hints']));
        self::assertCount(2, $frames);
        self::assertSame(
            ['status' => 103, 'headers' => ['Link' => ['</style.css>; rel=preload; as=style', '</app.js>; rel=preload; as=script']]],
            HttpContext::responseOf($frames[0]),
        );
        self::assertSame(Frame::BYTE10_STREAM, $frames[0]->byte10);
        self::assertSame(200, HttpContext::responseOf($frames[1])['status']);
        self::assertSame('early hints sent', HttpContext::bodyOf($frames[1]));

        // /error
        [$frame] = $this->exchange($encoding, HttpContext::minimal(['uri' => 'http://localhost/error']));
        self::assertSame(\bin2hex(Frame::pack(new Frame('boom', [], Frame::ERROR))), \bin2hex(Frame::pack($frame)));

        // /cookies
        [$frame] = $this->exchange($encoding, HttpContext::minimal(['uri' => 'http://localhost/cookies']));
        self::assertSame(['a=1; Path=/', 'b=2; Path=/; HttpOnly'], HttpContext::responseOf($frame)['headers']['Set-Cookie']);

        // /status/<code>
        [$frame] = $this->exchange($encoding, HttpContext::minimal(['uri' => 'http://localhost/status/418']));
        self::assertSame(418, HttpContext::responseOf($frame)['status']);
        self::assertSame('', HttpContext::bodyOf($frame));

        // anything else
        [$frame] = $this->exchange($encoding, HttpContext::minimal(['uri' => 'http://localhost/nope']));
        self::assertSame(404, HttpContext::responseOf($frame)['status']);

        \fwrite($this->process->stdin(), Vectors::bytes('stop'));
        [$code, $out, $err] = $this->process->wait();
        self::assertSame(0, $code, $err);
        self::assertSame('', $out);
        self::assertSame('', $err);
    }

    public function testAnUndecodableRequestIsAnsweredWithAnErrorAndTheWorkerGoesOn(): void
    {
        $this->process = new Process(self::EXAMPLES . 'http-worker.php', [], ['RR_RELAY' => 'pipes']);

        [$frame] = $this->exchange('json', ['method' => 'GET']); // JSON detected, required keys missing
        self::assertSame(Frame::ERROR, $frame->flags);
        self::assertStringContainsString('Invalid HTTP request context: missing remoteAddr, protocol, uri, rawQuery, parsed', (string) $frame->payload);

        [$frame] = $this->exchange('json', HttpContext::minimal());
        self::assertSame('hello', HttpContext::bodyOf($frame));

        \fwrite($this->process->stdin(), Vectors::bytes('stop'));
        [$code, , $err] = $this->process->wait();
        self::assertSame(0, $code, $err);
    }

    /**
     * Sends one request and reads the frames of its response, up to one without STREAM.
     *
     * @param array<string, mixed> $context
     *
     * @return list<Frame>
     */
    private function exchange(string $encoding, array $context, string $body = ''): array
    {
        \fwrite($this->process->stdin(), HttpContext::frame($encoding, $context, $body));

        $frames = [];
        do {
            $frame = Frames::readOne($this->process->stdout());
            $frames[] = $frame;
        } while (($frame->byte10 & Frame::BYTE10_STREAM) !== 0);

        return $frames;
    }
}
