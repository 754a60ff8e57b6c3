<?php

declare(strict_types=1);

namespace RR\Tests\KeyValue;

use PHPUnit\Framework\TestCase;
use RR\Goridge\Frame;
use RR\Tests\Support\Frames;
use RR\Tests\Support\KvWire;
use RR\Tests\Support\Process;
use RR\Tests\Support\Servers;

/**
 * examples/kv-client.php as a real process, with the test playing rr's RPC server on RR_RPC.
 */
final class KvClientExampleTest extends TestCase
{
    private const SCRIPT = __DIR__ . '/../../examples/kv-client.php';

    private Servers $servers;

    protected function setUp(): void
    {
        $this->servers = new Servers();
    }

    protected function tearDown(): void
    {
        $this->servers->close();
    }

    public function testRunsTheOperationsInOrderOverOneConnection(): void
    {
        [$server, $address] = $this->servers->tcp();
        $client = new Process(self::SCRIPT, [
            'mem',
            'set', 'k', 'v', '5', '|',
            'get', 'k', '|',
            'get', 'gone', 'dflt', '|',
            'ttl', 'k', '|',
            'has', 'k', '|',
            'getmultiple', '0', 'k', '|',
            'setmultiple', 'a', '1', 'b', '2', '|',
            'ttlmultiple', 'a', 'k', '|',
            'expire', 'a', '-1', '|',
            'delete', 'k', '|',
            'deletemultiple', 'a', 'b', '|',
            'clear',
        ], ['RR_RPC' => $address]);

        $conn = Servers::accept($server);
        $deadline = '/^\x0a\x03mem\x12\x28\x0a\x01k\x12\x08s:1:"v";\x1a\x19(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00)$/';
        $set = self::expect($conn, 1, 'kv.Set', null, '');
        self::assertSame(1, \preg_match($deadline, $set, $m), \bin2hex($set));
        $inFive = \DateTimeImmutable::createFromFormat(\DateTimeInterface::RFC3339, $m[1]);
        self::assertInstanceOf(\DateTimeImmutable::class, $inFive);
        self::assertEqualsWithDelta(\time() + 5, $inFive->getTimestamp(), 3);

        self::expect($conn, 2, 'kv.MGet', KvWire::keys('mem', 'k'), KvWire::response([KvWire::item('k', 's:1:"v";')]));
        self::expect($conn, 3, 'kv.MGet', KvWire::keys('mem', 'gone'), '');
        self::expect($conn, 4, 'kv.TTL', KvWire::keys('mem', 'k'), KvWire::response([KvWire::item('k', '', '2026-11-23T17:00:00+00:00')]));
        self::expect($conn, 5, 'kv.Has', KvWire::keys('mem', 'k'), KvWire::response([KvWire::item('k')]));
        self::expect($conn, 6, 'kv.MGet', KvWire::keys('mem', '0', 'k'), KvWire::response([KvWire::item('k', 's:1:"v";')]));
        self::expect($conn, 7, 'kv.Set', KvWire::request('mem', [KvWire::item('a', 's:1:"1";'), KvWire::item('b', 's:1:"2";')]), '');
        self::expect($conn, 8, 'kv.TTL', KvWire::keys('mem', 'a', 'k'), KvWire::response([KvWire::item('a')]));
        self::expect($conn, 9, 'kv.Delete', KvWire::keys('mem', 'a'), '');
        self::expect($conn, 10, 'kv.Delete', KvWire::keys('mem', 'k'), '');
        self::expect($conn, 11, 'kv.Delete', KvWire::keys('mem', 'a', 'b'), '');
        self::expect($conn, 12, 'kv.Clear', KvWire::request('mem'), '');

        [$code, $out, $err] = $client->wait();
        self::assertSame(0, $code, $err);
        self::assertSame(
            "true\n\"v\"\n\"dflt\"\n\"2026-11-23T17:00:00+00:00\"\ntrue\n{\"0\":null,\"k\":\"v\"}\ntrue\n{\"a\":null,\"k\":null}\ntrue\ntrue\ntrue\ntrue\n",
            $out,
        );
    }

    public function testTheRawSerializerSendsTheBytesAsGiven(): void
    {
        [$server, $address] = $this->servers->unix();
        $client = new Process(self::SCRIPT, ['--serializer=raw', 'mem', 'set', 'k', 'plain', '|', 'get', 'k'], ['RR_RPC' => $address]);

        $conn = Servers::accept($server);
        self::expect($conn, 1, 'kv.Set', KvWire::request('mem', [KvWire::item('k', 'plain')]), '');
        self::expect($conn, 2, 'kv.MGet', KvWire::keys('mem', 'k'), KvWire::response([KvWire::item('k', "bytes \xff")]));

        [$code, $out, $err] = $client->wait();
        self::assertSame(0, $code, $err);
        self::assertSame("true\n\"bytes \u{FFFD}\"\n", $out);
    }

    public function testAnExceptionPrintsAnErrorLineAndStops(): void
    {
        [$server, $address] = $this->servers->tcp();
        $client = new Process(self::SCRIPT, ['nope', 'has', 'k', '|', 'get', 'k', '|', 'clear'], ['RR_RPC' => $address]);

        $conn = Servers::accept($server);
        self::expect($conn, 1, 'kv.Has', KvWire::keys('nope', 'k'), '');
        $request = Frames::readOne($conn);
        \fwrite($conn, Frame::pack(new Frame("kv.MGetRR_ERR_KV_NO_SUCH_STORAGE: no such storage \"nope\"\nsecond line", [$request->options[0], 7], Frame::CODEC_PROTO | Frame::ERROR)));

        [$code, $out, $err] = $client->wait();
        self::assertSame(2, $code, $err);
        self::assertSame(
            "false\nERROR RR\\KeyValue\\Exception\\StorageException Storage \"nope\" has not been defined. Please make sure your RoadRunner \"kv\" configuration contains a storage key named \"nope\"\n",
            $out,
        );
    }

    public function testBadUsageSendsNothing(): void
    {
        foreach ([
            [[], 'a storage and at least one operation are needed'],
            [['mem'], 'a storage and at least one operation are needed'],
            [['mem', 'get', 'k', '|', 'set', 'k', 'v', 'soon'], "ttl must be whole seconds, got 'soon'"],
            [['mem', 'get'], 'unknown operation or wrong number of arguments: get'],
            [['mem', 'fly', 'k'], 'unknown operation or wrong number of arguments: fly k'],
            [['mem', 'get', 'k', '|'], 'empty operation'],
            [['--serializer=json', 'mem', 'get', 'k'], "unknown serializer 'json'"],
        ] as [$args, $problem]) {
            // An address nobody listens on: nothing may be sent anyway.
            [$code, $out, $err] = (new Process(self::SCRIPT, $args, ['RR_RPC' => 'tcp://127.0.0.1:1']))->wait();
            self::assertSame(64, $code, \implode(' ', $args));
            self::assertSame('', $out);
            self::assertStringStartsWith($problem . "\nusage: php kv-client.php", $err);
        }
    }

    /**
     * Reads the next request, checks it and answers it.
     *
     * @param resource $conn
     *
     * @return string the request body
     */
    private static function expect($conn, int $seq, string $method, ?string $body, string $reply): string
    {
        $request = Frames::readOne($conn);
        self::assertSame(Frame::CODEC_PROTO, $request->flags, $method);
        self::assertSame([$seq, \strlen($method)], $request->options, $method);
        self::assertStringStartsWith($method, (string) $request->payload);
        $sent = (string) \substr((string) $request->payload, \strlen($method));
        if ($body !== null) {
            self::assertSame(\bin2hex($body), \bin2hex($sent), $method);
        }
        \fwrite($conn, Frame::pack(new Frame($method . $reply, [$seq, \strlen($method)], Frame::CODEC_PROTO)));

        return $sent;
    }
}
