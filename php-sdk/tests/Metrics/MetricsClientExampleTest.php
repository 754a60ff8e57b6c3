<?php

declare(strict_types=1);

namespace RR\Tests\Metrics;

use PHPUnit\Framework\TestCase;
use RR\Goridge\Frame;
use RR\Tests\Support\Frames;
use RR\Tests\Support\Process;
use RR\Tests\Support\Servers;

/**
 * examples/metrics-client.php as a real process, with the test playing rr's RPC server on RR_RPC.
 */
final class MetricsClientExampleTest extends TestCase
{
    private const SCRIPT = __DIR__ . '/../../examples/metrics-client.php';

    private Servers $servers;

    protected function setUp(): void
    {
        $this->servers = new Servers();
    }

    protected function tearDown(): void
    {
        $this->servers->close();
    }

    public function testSendsEachOperationAsJsonAndPrintsTrue(): void
    {
        [$server, $address] = $this->servers->tcp();
        $client = new Process(self::SCRIPT, [
            'declare', 'hits', 'counter', 'namespace=app', 'help=Hits, by route', 'labels=route,code', '|',
            'declare', 'lat', 'histogram', 'buckets=0.1,1', '|',
            'declare', 'size', 'summary', 'objectives=0.5:0.05,0.9:0.01', '|',
            'add', 'hits', '1', '/home', '200', '|',
            'observe', 'lat', '0.25', '|',
            'set', 'temp', '-3', '|',
            'sub', 'temp', '1.5', '|',
            'unregister', 'hits',
        ], ['RR_RPC' => $address]);

        $conn = Servers::accept($server);
        $expected = [
            ['metrics.Declare', '{"name":"hits","collector":{"namespace":"app","subsystem":"","type":"counter","help":"Hits, by route","labels":["route","code"],"buckets":[]}}'],
            ['metrics.Declare', '{"name":"lat","collector":{"namespace":"","subsystem":"","type":"histogram","help":"","labels":[],"buckets":[0.1,1]}}'],
            ['metrics.Declare', '{"name":"size","collector":{"namespace":"","subsystem":"","type":"summary","help":"","labels":[],"buckets":[],"objectives":{"0.5":0.05,"0.9":0.01}}}'],
            ['metrics.Add', '{"name":"hits","value":1,"labels":["\/home","200"]}'],
            ['metrics.Observe', '{"name":"lat","value":0.25,"labels":[]}'],
            ['metrics.Set', '{"name":"temp","value":-3,"labels":[]}'],
            ['metrics.Sub', '{"name":"temp","value":1.5,"labels":[]}'],
            ['metrics.Unregister', '"hits"'],
        ];
        foreach ($expected as $i => [$method, $body]) {
            $request = Frames::readOne($conn);
            self::assertSame(Frame::CODEC_JSON, $request->flags, $method);
            self::assertSame([$i + 1, \strlen($method)], $request->options);
            self::assertSame($method . $body, $request->payload);
            \fwrite($conn, Frame::pack(new Frame($method . 'true', [$i + 1, \strlen($method)], Frame::CODEC_JSON)));
        }

        [$code, $out, $err] = $client->wait();
        self::assertSame(0, $code, $err);
        self::assertSame(\str_repeat("true\n", 8), $out);
    }

    public function testADuplicateDeclareSucceedsAndOtherErrorsStop(): void
    {
        [$server, $address] = $this->servers->unix();
        $client = new Process(self::SCRIPT, ['declare', 'hits', 'gauge', '|', 'add', 'nope', '1', '|', 'add', 'hits', '1'], ['RR_RPC' => $address]);

        $conn = Servers::accept($server);
        $request = Frames::readOne($conn);
        \fwrite($conn, Frame::pack(new Frame('metrics.DeclareRR_ERR_METRICS_ALREADY_REGISTERED: tried to register existing collector "hits"', [$request->options[0], 15], Frame::CODEC_JSON | Frame::ERROR)));
        $request = Frames::readOne($conn);
        \fwrite($conn, Frame::pack(new Frame('metrics.AddRR_ERR_METRICS_UNDEFINED_COLLECTOR: undefined collector nope', [$request->options[0], 11], Frame::CODEC_JSON | Frame::ERROR)));

        [$code, $out, $err] = $client->wait();
        self::assertSame(2, $code, $err);
        self::assertSame("true\nERROR RR\\Metrics\\Exception\\MetricsException Error 'RR_ERR_METRICS_UNDEFINED_COLLECTOR: undefined collector nope' on unix://" . \substr($address, 7) . "\n", $out);
    }

    public function testBadUsageSendsNothing(): void
    {
        foreach ([
            [[], 'at least one operation is needed'],
            [['add', 'hits', 'many'], "'many' is not a number"],
            [['declare', 'hits', 'meter'], "unknown collector type 'meter'"],
            [['declare', 'hits', 'counter', 'colour=red'], 'unknown declare option colour'],
            [['declare', 'hits', 'counter', 'help'], "declare options are key=value, got 'help'"],
            [['declare', 'q', 'summary', 'objectives=2:0.1'], 'A summary objective is keyed by a quantile between 0 and 1, got "2"'],
            [['unregister'], 'unknown operation or wrong number of arguments: unregister'],
            [['add', 'hits', '1', '|', '|', 'add', 'hits', '1'], 'empty operation'],
        ] as [$args, $problem]) {
            [$code, $out, $err] = (new Process(self::SCRIPT, $args, ['RR_RPC' => 'tcp://127.0.0.1:1']))->wait();
            self::assertSame(64, $code, \implode(' ', $args));
            self::assertSame('', $out);
            self::assertStringStartsWith($problem . "\nusage: php metrics-client.php", $err);
        }
    }
}
