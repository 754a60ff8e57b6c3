<?php

declare(strict_types=1);

namespace RR\Tests\Metrics;

use PHPUnit\Framework\TestCase;
use RR\Goridge\Exception\ServiceException;
use RR\Goridge\Frame;
use RR\Goridge\RPC\Codec\ProtobufCodec;
use RR\Goridge\RPC\RPC;
use RR\Goridge\StreamRelay;
use RR\Metrics\Collector;
use RR\Metrics\Exception\MetricsException;
use RR\Metrics\Metrics;
use RR\Metrics\MetricsInterface;
use RR\Tests\Support\Frames;
use RR\Tests\Support\ScriptedRpc;

/**
 * Metrics against a scripted RPC client (method, codec, exact JSON) and over the real RPC client.
 */
final class MetricsTest extends TestCase
{
    /**
     * @return iterable<string, array{string, string}>
     */
    public function updates(): iterable
    {
        yield 'add' => ['add', 'metrics.Add'];
        yield 'sub' => ['sub', 'metrics.Sub'];
        yield 'observe' => ['observe', 'metrics.Observe'];
        yield 'set' => ['set', 'metrics.Set'];
    }

    /**
     * @dataProvider updates
     */
    public function testUpdatesSendNameValueAndLabelsAsJson(string $operation, string $method): void
    {
        $rpc = new ScriptedRpc();
        $metrics = new Metrics($rpc);

        $metrics->{$operation}('hits', 1);
        $metrics->{$operation}('hits', 0.25, ['/home', '200']);
        $metrics->{$operation}('hits', -3.5, ['route' => '/a']);

        self::assertSame([
            ['method' => $method, 'codec' => Frame::CODEC_JSON, 'body' => '{"name":"hits","value":1,"labels":[]}'],
            ['method' => $method, 'codec' => Frame::CODEC_JSON, 'body' => '{"name":"hits","value":0.25,"labels":["\/home","200"]}'],
            ['method' => $method, 'codec' => Frame::CODEC_JSON, 'body' => '{"name":"hits","value":-3.5,"labels":["\/a"]}'],
        ], $rpc->calls);
    }

    public function testJsonIsUsedWhateverCodecTheClientHad(): void
    {
        $rpc = new ScriptedRpc(new ProtobufCodec());
        self::assertInstanceOf(MetricsInterface::class, $metrics = new Metrics($rpc));

        $metrics->unregister('hits');

        self::assertSame([['method' => 'metrics.Unregister', 'codec' => Frame::CODEC_JSON, 'body' => '"hits"']], $rpc->calls);
    }

    public function testDeclareSendsTheCollectorDefinition(): void
    {
        $rpc = new ScriptedRpc();
        $metrics = new Metrics($rpc);

        $metrics->declare('hits', Collector::counter());
        $metrics->declare('duration', Collector::histogram(0.1, 0.5, 1)->withNamespace('app')->withHelp('Request duration')->withLabels('route'));
        $metrics->declare('temp', Collector::gauge()->withNamespace('app')->withSubsystem('room')->withHelp('Temperature "°C"')->withLabels('room', 'floor'));
        $metrics->declare('size', Collector::summary(['0.5' => 0.05, '0.9' => 0.01, 1 => 0.001]));
        $metrics->declare('plain_summary', Collector::summary());

        self::assertSame([
            '{"name":"hits","collector":{"namespace":"","subsystem":"","type":"counter","help":"","labels":[],"buckets":[]}}',
            '{"name":"duration","collector":{"namespace":"app","subsystem":"","type":"histogram","help":"Request duration","labels":["route"],"buckets":[0.1,0.5,1]}}',
            '{"name":"temp","collector":{"namespace":"app","subsystem":"room","type":"gauge","help":"Temperature \"\u00b0C\"","labels":["room","floor"],"buckets":[]}}',
            '{"name":"size","collector":{"namespace":"","subsystem":"","type":"summary","help":"","labels":[],"buckets":[],"objectives":{"0.5":0.05,"0.9":0.01,"1.0":0.001}}}',
            '{"name":"plain_summary","collector":{"namespace":"","subsystem":"","type":"summary","help":"","labels":[],"buckets":[]}}',
        ], \array_column($rpc->calls, 'body'));
        self::assertSame(\array_fill(0, 5, 'metrics.Declare'), $rpc->methods());
    }

    public function testDeclaringAnExistingCollectorIsIgnored(): void
    {
        $rpc = (new ScriptedRpc())->fail('RR_ERR_METRICS_ALREADY_REGISTERED: tried to register existing collector with the name `hits`');

        (new Metrics($rpc))->declare('hits', Collector::counter());

        self::assertSame(['metrics.Declare'], $rpc->methods());
        self::assertSame(0, $rpc->pending());
    }

    /**
     * @return iterable<string, array{callable(Metrics): void}>
     */
    public function operations(): iterable
    {
        yield 'add' => [static fn (Metrics $m) => $m->add('hits', 1)];
        yield 'sub' => [static fn (Metrics $m) => $m->sub('hits', 1)];
        yield 'observe' => [static fn (Metrics $m) => $m->observe('hits', 1)];
        yield 'set' => [static fn (Metrics $m) => $m->set('hits', 1)];
        yield 'declare' => [static fn (Metrics $m) => $m->declare('hits', Collector::gauge())];
        yield 'unregister' => [static fn (Metrics $m) => $m->unregister('hits')];
    }

    /**
     * @dataProvider operations
     *
     * @param callable(Metrics): void $operation
     */
    public function testRrErrorsAreMetricsExceptions(callable $operation): void
    {
        $rpc = (new ScriptedRpc())->fail('RR_ERR_METRICS_UNDEFINED_COLLECTOR: undefined collector hits');

        try {
            $operation(new Metrics($rpc));
            self::fail('no exception');
        } catch (MetricsException $e) {
            self::assertSame("Error 'RR_ERR_METRICS_UNDEFINED_COLLECTOR: undefined collector hits' on tcp://127.0.0.1:6001", $e->getMessage());
            $previous = $e->getPrevious();
            self::assertInstanceOf(ServiceException::class, $previous);
            self::assertSame('RR_ERR_METRICS_UNDEFINED_COLLECTOR', $previous->getErrorCode());
        }
    }

    /**
     * @return iterable<string, array{float, string}>
     */
    public function unsendable(): iterable
    {
        yield 'NAN' => [\NAN, 'metrics.Set "hits": the value NAN cannot be sent, JSON has no NaN or infinity'];
        yield 'INF' => [\INF, 'metrics.Set "hits": the value INF cannot be sent, JSON has no NaN or infinity'];
        yield '-INF' => [-\INF, 'metrics.Set "hits": the value -INF cannot be sent, JSON has no NaN or infinity'];
    }

    /**
     * @dataProvider unsendable
     */
    public function testValuesJsonCannotCarryAreRefusedBeforeSending(float $value, string $message): void
    {
        $rpc = new ScriptedRpc();

        try {
            (new Metrics($rpc))->set('hits', $value);
            self::fail('no exception');
        } catch (MetricsException $e) {
            self::assertSame($message, $e->getMessage());
        }
        self::assertSame([], $rpc->calls);
    }

    public function testLabelsJsonCannotEncodeAreAMetricsException(): void
    {
        $this->expectException(MetricsException::class);
        $this->expectExceptionMessage('Malformed UTF-8');
        (new Metrics(new ScriptedRpc()))->add('hits', 1, ["\xff"]);
    }

    public function testWritesRoadRunnerFramesOverTheRpcClient(): void
    {
        $pair = \stream_socket_pair(\STREAM_PF_UNIX, \STREAM_SOCK_STREAM, \STREAM_IPPROTO_IP);
        self::assertIsArray($pair);
        $metrics = new Metrics(new RPC(new StreamRelay($pair[0], $pair[0])));
        $seq = (new \ReflectionClass(RPC::class))->getStaticPropertyValue('seq');
        self::assertIsInt($seq);

        try {
            \fwrite($pair[1], Frame::pack(new Frame('metrics.Declaretrue', [$seq, 15], Frame::CODEC_JSON)));
            \fwrite($pair[1], Frame::pack(new Frame('metrics.Addtrue', [$seq + 1, 11], Frame::CODEC_JSON)));
            $metrics->declare('php', Collector::counter()->withLabels('a'));
            $metrics->add('php', 2, ['b']);

            $declare = Frames::readOne($pair[1]);
            self::assertSame(Frame::CODEC_JSON, $declare->flags);
            self::assertSame([$seq, 15], $declare->options);
            self::assertSame('metrics.Declare{"name":"php","collector":{"namespace":"","subsystem":"","type":"counter","help":"","labels":["a"],"buckets":[]}}', $declare->payload);
            $add = Frames::readOne($pair[1]);
            self::assertSame([$seq + 1, 11], $add->options);
            self::assertSame('metrics.Add{"name":"php","value":2,"labels":["b"]}', $add->payload);
        } finally {
            \fclose($pair[0]);
            \fclose($pair[1]);
        }
    }
}
