<?php

declare(strict_types=1);

namespace RR\Tests\Examples;

use PHPUnit\Framework\TestCase;
use RR\Goridge\Frame;
use RR\Tests\Support\Frames;
use RR\Tests\Support\Process;
use RR\Tests\Support\Servers;
use RR\Tests\Support\Vectors;

/**
 * The example scripts run as real PHP processes, with the test playing rr.
 */
final class ExamplesTest extends TestCase
{
    private const ECHO_WORKER = __DIR__ . '/../../examples/echo-worker.php';
    private const RPC_CALL = __DIR__ . '/../../examples/rpc-call.php';
    private const NOISY_WORKER = __DIR__ . '/../Fixtures/noisy-worker.php';

    private Servers $servers;

    protected function setUp(): void
    {
        $this->servers = new Servers();
    }

    protected function tearDown(): void
    {
        $this->servers->close();
    }

    public function testEchoWorkerOverPipesHandshakesEchoesAndExitsOnStop(): void
    {
        $worker = new Process(self::ECHO_WORKER, [], ['RR_RELAY' => 'pipes']);

        \fwrite($worker->stdin(), Vectors::bytes('pid-request'));
        $pid = Frames::readOne($worker->stdout());
        self::assertSame(Frame::CONTROL, $pid->flags);
        self::assertSame(['pid' => $worker->pid()], \json_decode((string) $pid->payload, true));

        \fwrite($worker->stdin(), Vectors::bytes('request-raw'));
        $response = Frames::readOne($worker->stdout());
        self::assertSame(0, $response->flags);
        self::assertSame([7], $response->options);
        self::assertSame('{"a":1}hello', $response->payload);

        \fwrite($worker->stdin(), Vectors::bytes('stop'));
        [$code, $out, $err] = $worker->wait();
        self::assertSame(0, $code, $err);
        self::assertSame('', $out);
        self::assertSame('', $err);
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
    public function testEchoWorkerOverASocketConnectsAndReportsItsOwnPid(string $transport): void
    {
        [$server, $address] = $this->servers->{$transport}();
        $worker = new Process(self::ECHO_WORKER, [], ['RR_RELAY' => $address]);

        // rr speaks first on every accepted connection, and the worker connects lazily, so the
        // connection appears once the worker waits for its first frame.
        $conn = Servers::accept($server);
        \fwrite($conn, Vectors::bytes('pid-request'));
        self::assertSame(['pid' => $worker->pid()], \json_decode((string) Frames::readOne($conn)->payload, true));

        \fwrite($conn, Frames::request('{}', \str_repeat('x', 100000)));
        $response = Frames::readOne($conn);
        self::assertSame([2], $response->options);
        self::assertSame('{}' . \str_repeat('x', 100000), $response->payload);

        \fwrite($conn, Vectors::bytes('stop'));
        [$code, , $err] = $worker->wait();
        self::assertSame(0, $code, $err);
    }

    public function testStrayOutputOfAWorkerGoesToStderrAndNeverBreaksFraming(): void
    {
        $worker = new Process(self::NOISY_WORKER, [], ['RR_RELAY' => 'pipes']);

        \fwrite($worker->stdin(), Vectors::bytes('pid-request') . Vectors::bytes('request-raw'));
        self::assertSame(Frame::CONTROL, Frames::readOne($worker->stdout())->flags);
        self::assertSame('{"a":1}hello', Frames::readOne($worker->stdout())->payload);

        \fwrite($worker->stdin(), Vectors::bytes('stop'));
        [$code, $out, $err] = $worker->wait();
        self::assertSame(0, $code, $err);
        self::assertSame('', $out, 'nothing but frames on stdout');
        foreach (['echoed noise;', 'printed noise;', 'printf noise;', 'dumped noise', 'logged noise', 'warned noise'] as $noise) {
            self::assertStringContainsString($noise, $err);
        }
    }

    /**
     * @dataProvider transports
     */
    public function testRpcCallPrintsTheJsonResultAndStartsAtSequenceOne(string $transport): void
    {
        [$server, $address] = $this->servers->{$transport}();
        $call = new Process(self::RPC_CALL, [$address, 'informer.List', 'true']);

        $conn = Servers::accept($server);
        $request = Frames::readOne($conn);
        self::assertSame(\bin2hex(Vectors::bytes('rpc-request')), \bin2hex(Frame::pack($request)), 'seq 1, JSON, informer.List + true');
        \fwrite($conn, Vectors::bytes('rpc-response'));

        [$code, $out, $err] = $call->wait();
        self::assertSame(0, $code, $err);
        self::assertSame("[\"http\"]\n", $out);
    }

    public function testRpcCallWithTheRawCodecSendsTheArgumentVerbatim(): void
    {
        [$server, $address] = $this->servers->unix();
        $call = new Process(self::RPC_CALL, [$address, 'echo.Raw', '{"not":"decoded"}', 'raw']);

        $conn = Servers::accept($server);
        $request = Frames::readOne($conn);
        self::assertSame(Frame::CODEC_RAW, $request->flags);
        self::assertSame('echo.Raw{"not":"decoded"}', $request->payload);
        \fwrite($conn, Frame::pack(new Frame('echo.Rawbytes/ü', [$request->options[0], 8], Frame::CODEC_RAW)));

        [$code, $out, $err] = $call->wait();
        self::assertSame(0, $code, $err);
        self::assertSame("\"bytes/ü\"\n", $out);
    }

    /**
     * @return iterable<string, array{string, string}>
     */
    public function serviceErrors(): iterable
    {
        yield 'rr error with code' => ["RR_ERR_KV_NO_SUCH_STORAGE: no such storage 'nope'", "ERROR RR_ERR_KV_NO_SUCH_STORAGE no such storage 'nope'\n"];
        yield 'net/rpc error without code' => ["rpc: can't find service kv.Nope", "ERROR - rpc: can't find service kv.Nope\n"];
    }

    /**
     * @dataProvider serviceErrors
     */
    public function testRpcCallPrintsServiceErrorsAndExitsWithTwo(string $error, string $printed): void
    {
        [$server, $address] = $this->servers->tcp();
        $call = new Process(self::RPC_CALL, [$address, 'kv.Has', '{"storage":"nope"}', 'json']);

        $conn = Servers::accept($server);
        $request = Frames::readOne($conn);
        \fwrite($conn, Frame::pack(new Frame('kv.Has' . $error, [$request->options[0], 6], Frame::CODEC_JSON | Frame::ERROR)));

        [$code, $out, $err] = $call->wait();
        self::assertSame(2, $code, $err);
        self::assertSame($printed, $out);
    }

    public function testRpcCallRejectsBadUsage(): void
    {
        [$code, $out, $err] = (new Process(self::RPC_CALL, ['tcp://127.0.0.1:1']))->wait();
        self::assertSame(64, $code);
        self::assertSame('', $out);
        self::assertStringContainsString('usage: php rpc-call.php', $err);

        [$code, , $err] = (new Process(self::RPC_CALL, ['tcp://127.0.0.1:1', 'a.B', '{oops']))->wait();
        self::assertSame(64, $code);
        self::assertStringContainsString('payload is not valid JSON', $err);
    }

    public function testRpcCallReportsAnUnreachableServerOnStderr(): void
    {
        $path = $this->servers->unusedUnixPath();
        [$code, $out, $err] = (new Process(self::RPC_CALL, ['unix://' . $path, 'informer.List', 'true']))->wait();

        self::assertSame(1, $code);
        self::assertSame('', $out);
        self::assertStringContainsString('RR\Goridge\Exception\RelayException: Unable to establish connection unix://' . $path, $err);
    }
}
