<?php

declare(strict_types=1);

namespace RR\Tests\KeyValue;

use PHPUnit\Framework\TestCase;
use RR\Goridge\Frame;
use RR\Goridge\RPC\Codec\JsonCodec;
use RR\Goridge\RPC\RPC;
use RR\Goridge\StreamRelay;
use RR\KeyValue\Exception\StorageException;
use RR\KeyValue\Factory;
use RR\Tests\Support\Frames;
use RR\Tests\Support\KvWire;

/**
 * The kv client over the real RPC client, with the test playing rr on a socket pair: the frames on
 * the wire.
 */
final class CacheOverRpcTest extends TestCase
{
    /** @var list<resource> */
    private array $streams = [];

    protected function tearDown(): void
    {
        foreach ($this->streams as $stream) {
            \fclose($stream);
        }
        $this->streams = [];
    }

    public function testSendsProtobufFramesAndReadsProtobufReplies(): void
    {
        $pair = \stream_socket_pair(\STREAM_PF_UNIX, \STREAM_SOCK_STREAM, \STREAM_IPPROTO_IP);
        self::assertIsArray($pair);
        \array_push($this->streams, ...$pair);
        // A JSON-configured client, as most applications create it: the cache switches the codec.
        $storage = (new Factory(new RPC(new StreamRelay($pair[0], $pair[0]), new JsonCodec())))->select('mem');
        $seq = self::nextSequence();

        $reply = KvWire::response([KvWire::item('k', 's:2:"hi";')]);
        \fwrite($pair[1], Frame::pack(new Frame('kv.MGet' . $reply, [$seq, 7], Frame::CODEC_PROTO)));
        \fwrite($pair[1], Frame::pack(new Frame('kv.Set', [$seq + 1, 6], Frame::CODEC_PROTO)));
        \fwrite($pair[1], Frame::pack(new Frame('kv.HasRR_ERR_KV_NO_SUCH_STORAGE: no such storage "mem"', [$seq + 2, 6], Frame::CODEC_PROTO | Frame::ERROR)));

        self::assertSame('hi', $storage->get('k'));
        self::assertTrue($storage->set('k', 'v'));
        try {
            $storage->has('k');
            self::fail('expected a StorageException');
        } catch (StorageException $e) {
            self::assertStringContainsString('Storage "mem" has not been defined', $e->getMessage());
        }

        $expected = [
            ['kv.MGet', KvWire::keys('mem', 'k')],
            ['kv.Set', KvWire::request('mem', [KvWire::item('k', 's:1:"v";')])],
            ['kv.Has', KvWire::keys('mem', 'k')],
        ];
        foreach ($expected as $i => [$method, $body]) {
            $frame = Frames::readOne($pair[1]);
            self::assertSame(Frame::CODEC_PROTO, $frame->flags, $method);
            self::assertSame([$seq + $i, \strlen($method)], $frame->options);
            self::assertSame($method . $body, $frame->payload);
        }
    }

    private static function nextSequence(): int
    {
        $value = (new \ReflectionClass(RPC::class))->getStaticPropertyValue('seq');
        self::assertIsInt($value);

        return $value;
    }
}
