<?php

declare(strict_types=1);

namespace RR\Tests\KeyValue;

use PHPUnit\Framework\TestCase;
use Psr\SimpleCache\CacheException;
use Psr\SimpleCache\CacheInterface;
use Psr\SimpleCache\InvalidArgumentException as PsrInvalidArgumentException;
use RR\Goridge\Exception\ServiceException;
use RR\Goridge\Frame;
use RR\Goridge\RPC\RPCInterface;
use RR\KeyValue\Cache;
use RR\KeyValue\Exception\InvalidArgumentException;
use RR\KeyValue\Exception\KeyValueException;
use RR\KeyValue\Exception\NotImplementedException;
use RR\KeyValue\Exception\SerializationException;
use RR\KeyValue\Exception\StorageException;
use RR\KeyValue\Factory;
use RR\KeyValue\Serializer\DefaultSerializer;
use RR\KeyValue\Serializer\IgbinarySerializer;
use RR\KeyValue\Serializer\SerializerInterface;
use RR\KeyValue\StorageInterface;
use RR\Tests\Support\KvWire;
use RR\Tests\Support\ScriptedRpc;

/**
 * Cache against a scripted RPC client: the method, the codec and the exact kv.v1.Request bytes of
 * every call, and what replies and rr's errors turn into.
 */
final class CacheTest extends TestCase
{
    private const NOW = '2026-11-23T16:59:55+00:00';

    public function testTheFactorySelectsStoragesByNameWithoutAskingRr(): void
    {
        $rpc = new ScriptedRpc();
        $serializer = new IgbinarySerializer();
        $factory = new Factory($rpc, $serializer);
        $storage = $factory->select('memory');

        self::assertInstanceOf(StorageInterface::class, $storage);
        self::assertInstanceOf(CacheInterface::class, $storage);
        self::assertSame('memory', $storage->getName());
        self::assertSame($serializer, $storage->getSerializer());
        self::assertInstanceOf(DefaultSerializer::class, (new Factory($rpc))->select('x')->getSerializer());
        self::assertSame([], $rpc->calls);

        $other = new DefaultSerializer();
        $copy = $factory->withSerializer($other);
        self::assertNotSame($factory, $copy);
        self::assertSame($other, $copy->select('m')->getSerializer());
        self::assertSame($serializer, $factory->select('m')->getSerializer());
    }

    public function testGetSendsMGetAsProtobufAndUnserializesTheValue(): void
    {
        $rpc = (new ScriptedRpc())->reply(KvWire::response([KvWire::item('key', 's:5:"hello";')]));

        self::assertSame('hello', $this->cache($rpc)->get('key'));
        self::assertSame([[
            'method' => 'kv.MGet',
            'codec' => Frame::CODEC_PROTO,
            // Request{storage: "mem", items: [{key: "key"}]}, written out by hand.
            'body' => "\x0a\x03mem\x12\x05\x0a\x03key",
        ]], $rpc->calls);
    }

    public function testGetAnswersTheDefaultForAMissingKey(): void
    {
        $rpc = (new ScriptedRpc())->reply('')->reply(KvWire::response([KvWire::item('other', 'i:1;')]))->reply('');
        $cache = $this->cache($rpc);

        self::assertNull($cache->get('key'));
        self::assertSame('fallback', $cache->get('key', 'fallback'));
        self::assertSame(['x'], $cache->get('key', ['x']));
    }

    public function testGetReturnsStoredFalsyValuesRatherThanTheDefault(): void
    {
        $rpc = new ScriptedRpc();
        $cache = $this->cache($rpc);
        foreach (['b:0;' => false, 'N;' => null, 'i:0;' => 0, 's:0:"";' => ''] as $bytes => $value) {
            $rpc->reply(KvWire::response([KvWire::item('k', $bytes)]));
            self::assertSame($value, $cache->get('k', 'default'));
        }
    }

    public function testGetMultipleAsksOnceAndYieldsEveryKeyInTheOrderGiven(): void
    {
        $rpc = (new ScriptedRpc())->reply(KvWire::response([
            KvWire::item('c', 's:1:"C";'),
            KvWire::item('a', 's:1:"A";'),
        ]));

        $result = $this->cache($rpc)->getMultiple(['a', 'b', 'c', 'a'], 'none');

        self::assertSame([['kv.MGet', KvWire::keys('mem', 'a', 'b', 'c')]], self::sent($rpc));
        $pairs = [];
        foreach ($result as $key => $value) {
            $pairs[] = [$key, $value];
        }
        self::assertSame([['a', 'A'], ['b', 'none'], ['c', 'C'], ['a', 'A']], $pairs);
    }

    public function testGetMultipleKeepsNumericKeysAsStringsAndTakesAnyIterable(): void
    {
        $rpc = (new ScriptedRpc())->reply(KvWire::response([KvWire::item('1', 'i:7;')]));
        $keys = (static function (): \Generator {
            yield 'first' => '1';
            yield 'second' => '02';
        })();

        $pairs = [];
        foreach ($this->cache($rpc)->getMultiple($keys) as $key => $value) {
            $pairs[] = [$key, $value];
        }

        self::assertSame([['1', 7], ['02', null]], $pairs);
        self::assertSame([['kv.MGet', KvWire::keys('mem', '1', '02')]], self::sent($rpc));
    }

    public function testGetMultipleAndFriendsSendNothingForNoKeys(): void
    {
        $rpc = new ScriptedRpc();
        $cache = $this->cache($rpc);

        self::assertSame([], \iterator_to_array($cache->getMultiple([])));
        self::assertSame([], \iterator_to_array($cache->getMultipleTtl(new \ArrayIterator([]))));
        self::assertTrue($cache->setMultiple([], 10));
        self::assertTrue($cache->deleteMultiple([]));
        self::assertTrue($cache->expireMultiple([], 10));
        self::assertSame([], $rpc->calls);
    }

    public function testHasAsksKvHasAndLooksForTheKeyInTheReply(): void
    {
        $rpc = (new ScriptedRpc())
            ->reply(KvWire::response([KvWire::item('key')]))
            ->reply('')
            ->reply(KvWire::response([KvWire::item('other')]));
        $cache = $this->cache($rpc);

        self::assertTrue($cache->has('key'));
        self::assertFalse($cache->has('key'));
        self::assertFalse($cache->has('key'));
        self::assertSame(\array_fill(0, 3, ['kv.Has', KvWire::keys('mem', 'key')]), self::sent($rpc));
    }

    public function testSetWithoutTtlSendsTheSerializedValueAndNoTimeout(): void
    {
        $rpc = new ScriptedRpc();

        self::assertTrue($this->cache($rpc)->set('key', ['a' => 1]));
        self::assertSame([[
            'method' => 'kv.Set',
            'codec' => Frame::CODEC_PROTO,
            // Request{storage: "mem", items: [{key: "key", value: serialize(['a' => 1])}]}
            'body' => "\x0a\x03mem\x12\x19\x0a\x03key\x12\x12a:1:{s:1:\"a\";i:1;}",
        ]], $rpc->calls);
    }

    /**
     * @return iterable<string, array{int|\DateInterval, string}>
     */
    public function ttls(): iterable
    {
        yield 'int seconds' => [5, '2026-11-23T17:00:00+00:00'];
        yield 'a day in seconds' => [86400, '2026-11-24T16:59:55+00:00'];
        yield '0xDEADBEEF seconds' => [0xDEADBEEF, '2145-04-13T14:55:54+00:00'];
        yield 'DateInterval PT5S' => [new \DateInterval('PT5S'), '2026-11-23T17:00:00+00:00'];
        yield 'DateInterval P1M (calendar month)' => [new \DateInterval('P1M'), '2026-12-23T16:59:55+00:00'];
        yield 'DateInterval P1DT1H' => [new \DateInterval('P1DT1H'), '2026-11-24T17:59:55+00:00'];
    }

    /**
     * @dataProvider ttls
     */
    public function testSetTurnsTheTtlIntoAnRfc3339DeadlineInUtc(int|\DateInterval $ttl, string $deadline): void
    {
        $rpc = new ScriptedRpc();

        self::assertTrue($this->cache($rpc, self::NOW)->set('k', 'v', $ttl));
        self::assertSame([['kv.Set', KvWire::request('mem', [KvWire::item('k', 's:1:"v";', $deadline)])]], self::sent($rpc));
    }

    public function testDeadlinesAreWholeSecondsInUtcWhateverTheClock(): void
    {
        $rpc = new ScriptedRpc();
        // 18:59:59.999 at +02:00 is 16:59:59 UTC once the fraction is dropped.
        $this->cache($rpc, '2026-11-23T18:59:59.999+02:00')->set('k', 'v', 1);
        $this->cache($rpc, '2026-11-23T18:59:59.999+02:00')->set('k', 'v', new \DateInterval('PT1S'));

        self::assertSame(\array_fill(0, 2, ['kv.Set', KvWire::request('mem', [KvWire::item('k', 's:1:"v";', '2026-11-23T17:00:00+00:00')])]), self::sent($rpc));

        $rpc = new ScriptedRpc();
        (new Cache($rpc, 'mem'))->set('k', 'v', 3600);
        // The item ends with field 3, the 25-byte timeout.
        self::assertSame(1, \preg_match('/\x1a\x19(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00)$/', $rpc->calls[0]['body'], $m));
        $deadline = \DateTimeImmutable::createFromFormat(\DateTimeInterface::RFC3339, $m[1]);
        self::assertInstanceOf(\DateTimeImmutable::class, $deadline);
        self::assertEqualsWithDelta(\time() + 3600, $deadline->getTimestamp(), 5);
    }

    /**
     * @return iterable<string, array{int|\DateInterval}>
     */
    public function expiredTtls(): iterable
    {
        yield 'zero' => [0];
        yield 'negative' => [-5];
        yield 'PHP_INT_MIN' => [\PHP_INT_MIN];
        yield 'empty DateInterval' => [new \DateInterval('PT0S')];
        yield 'negative DateInterval' => [(new \DateTimeImmutable('2026-01-02'))->diff(new \DateTimeImmutable('2026-01-01'))];
    }

    /**
     * @dataProvider expiredTtls
     */
    public function testATtlOfZeroOrLessDeletesInsteadOfStoring(int|\DateInterval $ttl): void
    {
        $rpc = new ScriptedRpc();
        $cache = $this->cache($rpc, self::NOW);

        // A closure cannot be serialized: nothing is, since nothing is stored.
        self::assertTrue($cache->set('k', static fn () => 1, $ttl));
        self::assertTrue($cache->setMultiple(['a' => 1, 'b' => 2, 'a2' => 3], $ttl));
        self::assertTrue($cache->expire('k', $ttl));

        self::assertSame([
            ['kv.Delete', KvWire::keys('mem', 'k')],
            ['kv.Delete', KvWire::keys('mem', 'a', 'b', 'a2')],
            ['kv.Delete', KvWire::keys('mem', 'k')],
        ], self::sent($rpc));
    }

    public function testSetMultipleSendsOneSetWithEveryItemAndTheSameDeadline(): void
    {
        $rpc = new ScriptedRpc();
        $values = (static function (): \Generator {
            yield 'x' => 'X';
            yield 'y' => null;
        })();

        self::assertTrue($this->cache($rpc, self::NOW)->setMultiple($values, 5));
        self::assertTrue($this->cache($rpc)->setMultiple(['10' => true, 'z' => 1.5]));

        self::assertSame([
            ['kv.Set', KvWire::request('mem', [
                KvWire::item('x', 's:1:"X";', '2026-11-23T17:00:00+00:00'),
                KvWire::item('y', 'N;', '2026-11-23T17:00:00+00:00'),
            ])],
            // PHP made the array key "10" an integer; it goes out as the string it was.
            ['kv.Set', KvWire::request('mem', [KvWire::item('10', 'b:1;'), KvWire::item('z', 'd:1.5;')])],
        ], self::sent($rpc));
    }

    public function testValuesOfEveryKindRoundTripThroughSetAndGet(): void
    {
        $values = [null, false, true, 0, -1, \PHP_INT_MAX, 0.1, '', "\x00\xff binary", 'ünïcode', [1, [2, ['k' => 3]]], (object) ['a' => 'b'], new \ArrayObject([1, 2])];

        foreach ([new DefaultSerializer(), new IgbinarySerializer()] as $serializer) {
            $rpc = new ScriptedRpc();
            $cache = $this->cache($rpc, null, $serializer);
            foreach ($values as $i => $value) {
                $cache->set("k$i", $value);
                $item = KvWire::item("k$i", $serializer->serialize($value));
                self::assertSame(KvWire::request('mem', [$item]), \end($rpc->calls)['body']);

                // rr hands back the bytes it was given.
                $rpc->reply(KvWire::response([$item]));
                self::assertEquals($value, $cache->get("k$i"), $serializer::class . " #$i");
            }
        }
    }

    public function testDeleteAndDeleteMultipleSendKvDelete(): void
    {
        $rpc = new ScriptedRpc();
        $cache = $this->cache($rpc);

        self::assertTrue($cache->delete('a'));
        self::assertTrue($cache->deleteMultiple(['a', 'b', 'a']));
        self::assertTrue($cache->deleteMultiple(new \ArrayIterator(['c'])));

        self::assertSame([
            ['kv.Delete', KvWire::keys('mem', 'a')],
            ['kv.Delete', KvWire::keys('mem', 'a', 'b')],
            ['kv.Delete', KvWire::keys('mem', 'c')],
        ], self::sent($rpc));
    }

    public function testClearSendsOnlyTheStorage(): void
    {
        $rpc = new ScriptedRpc();

        self::assertTrue($this->cache($rpc)->clear());
        self::assertSame([['method' => 'kv.Clear', 'codec' => Frame::CODEC_PROTO, 'body' => "\x0a\x03mem"]], $rpc->calls);
    }

    public function testGetTtlParsesTheDeadlineAndAnswersNullWithoutOne(): void
    {
        $rpc = (new ScriptedRpc())
            ->reply(KvWire::response([KvWire::item('k', '', '2026-11-23T17:00:00+00:00')]))
            ->reply(KvWire::response([KvWire::item('k')]))
            ->reply('')
            ->reply(KvWire::response([KvWire::item('other', '', '2026-11-23T17:00:00+00:00')]));
        $cache = $this->cache($rpc);

        $ttl = $cache->getTtl('k');
        self::assertInstanceOf(\DateTimeImmutable::class, $ttl);
        self::assertSame('2026-11-23T17:00:00+00:00', $ttl->format(\DateTimeInterface::RFC3339));
        self::assertNull($cache->getTtl('k'), 'empty timeout: no expiry');
        self::assertNull($cache->getTtl('k'), 'no such key');
        self::assertNull($cache->getTtl('k'), 'reply for another key');
        self::assertSame(\array_fill(0, 4, ['kv.TTL', KvWire::keys('mem', 'k')]), self::sent($rpc));
    }

    /**
     * @return iterable<string, array{string, string}>
     */
    public function rfc3339(): iterable
    {
        yield 'numeric offset' => ['2026-11-23T19:00:00+02:00', '2026-11-23T17:00:00.000000'];
        yield 'Z, as Go writes UTC' => ['2026-11-23T17:00:00Z', '2026-11-23T17:00:00.000000'];
        yield 'fraction' => ['2026-11-23T17:00:00.25+00:00', '2026-11-23T17:00:00.250000'];
        yield 'nanoseconds and z' => ['2026-11-23T17:00:00.123456789z', '2026-11-23T17:00:00.123456'];
    }

    /**
     * @dataProvider rfc3339
     */
    public function testGetTtlReadsEveryRfc3339Form(string $timeout, string $utc): void
    {
        $rpc = (new ScriptedRpc())->reply(KvWire::response([KvWire::item('k', '', $timeout)]));

        $ttl = $this->cache($rpc)->getTtl('k');
        self::assertNotNull($ttl);
        self::assertSame($utc, \DateTimeImmutable::createFromInterface($ttl)->setTimezone(new \DateTimeZone('UTC'))->format('Y-m-d\TH:i:s.u'));
    }

    public function testAnUnreadableTimeoutIsAKeyValueException(): void
    {
        $rpc = (new ScriptedRpc())->reply(KvWire::response([KvWire::item('k', '', 'tomorrow')]));

        $this->expectException(KeyValueException::class);
        $this->expectExceptionMessage('Storage "mem" answered kv.TTL with the invalid timeout "tomorrow"');
        $this->cache($rpc)->getTtl('k');
    }

    public function testGetMultipleTtlYieldsEveryKeyInOrder(): void
    {
        $rpc = (new ScriptedRpc())->reply(KvWire::response([
            KvWire::item('b', '', ''),
            KvWire::item('a', '', '2026-11-23T17:00:00+00:00'),
        ]));

        $ttls = [];
        foreach ($this->cache($rpc)->getMultipleTtl(['a', 'b', 'c']) as $key => $ttl) {
            $ttls[$key] = $ttl?->format(\DateTimeInterface::RFC3339);
        }

        self::assertSame(['a' => '2026-11-23T17:00:00+00:00', 'b' => null, 'c' => null], $ttls);
        self::assertSame([['kv.TTL', KvWire::keys('mem', 'a', 'b', 'c')]], self::sent($rpc));
    }

    public function testExpireSendsMExpireWithTheDeadline(): void
    {
        $rpc = new ScriptedRpc();
        $cache = $this->cache($rpc, self::NOW);

        self::assertTrue($cache->expire('k', 5));
        self::assertTrue($cache->expireMultiple(['a', 'b', 'a'], new \DateInterval('PT1H')));

        self::assertSame([
            ['kv.MExpire', KvWire::request('mem', [KvWire::item('k', '', '2026-11-23T17:00:00+00:00')])],
            ['kv.MExpire', KvWire::request('mem', [KvWire::item('a', '', '2026-11-23T17:59:55+00:00'), KvWire::item('b', '', '2026-11-23T17:59:55+00:00')])],
        ], self::sent($rpc));
    }

    /**
     * @return iterable<string, array{mixed, string}>
     */
    public function invalidKeys(): iterable
    {
        yield 'int' => [0xDEADBEEF, 'Cache key must be a string, but int passed'];
        yield 'null' => [null, 'Cache key must be a string, but null passed'];
        yield 'float' => [2.5, 'Cache key must be a string, but float passed'];
        yield 'bool' => [true, 'Cache key must be a string, but bool passed'];
        yield 'array' => [['k'], 'Cache key must be a string, but array passed'];
        yield 'object' => [new \stdClass(), 'Cache key must be a string, but stdClass passed'];
        yield 'Stringable' => [new class () implements \Stringable {
            public function __toString(): string
            {
                return 'k';
            }
        }, 'Cache key must be a string, but Stringable@anonymous passed'];
        yield 'empty' => ['', 'Cache key must not be empty or blank'];
        yield 'blank' => [" \t\n", 'Cache key must not be empty or blank'];
        yield 'invalid UTF-8' => ["k\xff", 'Cache key must be valid UTF-8'];
    }

    /**
     * @dataProvider invalidKeys
     */
    public function testInvalidKeysAreRefusedBeforeAnythingIsSent(mixed $key, string $message): void
    {
        $rpc = new ScriptedRpc();
        $cache = $this->cache($rpc);
        $operations = [
            'get' => static fn () => $cache->get($key),
            'set' => static fn () => $cache->set($key, 'v'),
            'has' => static fn () => $cache->has($key),
            'delete' => static fn () => $cache->delete($key),
            'getMultiple' => static fn () => $cache->getMultiple(['ok', $key]),
            'deleteMultiple' => static fn () => $cache->deleteMultiple(['ok', $key]),
            'getMultipleTtl' => static fn () => $cache->getMultipleTtl(['ok', $key]),
            'expireMultiple' => static fn () => $cache->expireMultiple(['ok', $key], 5),
        ];
        if (\is_string($key)) {
            $operations['getTtl'] = static fn () => $cache->getTtl($key);
            $operations['setMultiple'] = static fn () => $cache->setMultiple(['ok' => 1, $key => 2]);
        }

        foreach ($operations as $name => $operation) {
            try {
                $operation();
                self::fail("$name accepted the key");
            } catch (InvalidArgumentException $e) {
                self::assertInstanceOf(PsrInvalidArgumentException::class, $e);
                self::assertSame($message, $e->getMessage(), $name);
            }
        }
        self::assertSame([], $rpc->calls);
    }

    public function testKeysWithPsr16ReservedCharactersAreAccepted(): void
    {
        $rpc = new ScriptedRpc();
        $this->cache($rpc)->deleteMultiple(['user:1', '{a}(b)/c\\d@e', ' padded ', 'ключ']);

        self::assertSame([['kv.Delete', KvWire::keys('mem', 'user:1', '{a}(b)/c\\d@e', ' padded ', 'ключ')]], self::sent($rpc));
    }

    public function testSetMultipleRefusesNonStringKeysFromIterators(): void
    {
        $rpc = new ScriptedRpc();
        $values = (static function (): \Generator {
            yield 'ok' => 1;
            yield 1.5 => 2;
        })();

        $this->expectException(InvalidArgumentException::class);
        $this->expectExceptionMessage('Cache key must be a string, but float passed');
        try {
            $this->cache($rpc)->setMultiple($values);
        } finally {
            self::assertSame([], $rpc->calls);
        }
    }

    /**
     * @return iterable<string, array{string, mixed, string}>
     */
    public function nonIterables(): iterable
    {
        yield 'getMultiple(string)' => ['getMultiple', 'key', 'Cache keys must be an array<string>, but string passed'];
        yield 'getMultiple(null)' => ['getMultiple', null, 'Cache keys must be an array<string>, but null passed'];
        yield 'deleteMultiple(object)' => ['deleteMultiple', new \stdClass(), 'Cache keys must be an array<string>, but stdClass passed'];
        yield 'setMultiple(string)' => ['setMultiple', 'key', 'Cache values must be an array<string, mixed>, but string passed'];
        yield 'setMultiple(int)' => ['setMultiple', 3, 'Cache values must be an array<string, mixed>, but int passed'];
    }

    /**
     * @dataProvider nonIterables
     */
    public function testNonIterableArgumentsAreInvalid(string $method, mixed $argument, string $message): void
    {
        $rpc = new ScriptedRpc();

        $this->expectException(InvalidArgumentException::class);
        $this->expectExceptionMessage($message);
        $this->cache($rpc)->{$method}($argument);
    }

    /**
     * @return iterable<string, array{mixed, string}>
     */
    public function invalidTtls(): iterable
    {
        yield 'numeric string' => ['5', 'Cache item ttl (expiration) must be of type int or \DateInterval, but string passed'];
        yield 'float' => [5.0, 'Cache item ttl (expiration) must be of type int or \DateInterval, but float passed'];
        yield 'bool' => [true, 'Cache item ttl (expiration) must be of type int or \DateInterval, but bool passed'];
        yield 'DateTime (a deadline, not a ttl)' => [new \DateTimeImmutable(), 'Cache item ttl (expiration) must be of type int or \DateInterval, but DateTimeImmutable passed'];
        yield 'past year 9999' => [\PHP_INT_MAX, 'Cache item ttl (expiration) of 9223372036854775807 seconds ends after the year 9999'];
        yield 'DateInterval past year 9999' => [new \DateInterval('P8000Y'), 'Cache item ttl (expiration) ends after the year 9999'];
    }

    /**
     * @dataProvider invalidTtls
     */
    public function testInvalidTtlsAreRefusedBeforeAnythingIsSent(mixed $ttl, string $message): void
    {
        $rpc = new ScriptedRpc();
        $cache = $this->cache($rpc, self::NOW);

        foreach (['set' => static fn () => $cache->set('k', 'v', $ttl), 'setMultiple' => static fn () => $cache->setMultiple(['k' => 'v'], $ttl)] as $name => $operation) {
            try {
                $operation();
                self::fail("$name accepted the ttl");
            } catch (InvalidArgumentException $e) {
                self::assertSame($message, $e->getMessage(), $name);
            }
        }
        self::assertSame([], $rpc->calls);
    }

    /**
     * @return iterable<string, array{callable(Cache): mixed}>
     */
    public function operations(): iterable
    {
        yield 'get' => [static fn (Cache $c) => $c->get('key')];
        yield 'getMultiple' => [static fn (Cache $c) => $c->getMultiple(['key'])];
        yield 'has' => [static fn (Cache $c) => $c->has('key')];
        yield 'set' => [static fn (Cache $c) => $c->set('key', 'value')];
        yield 'set with ttl' => [static fn (Cache $c) => $c->set('key', 'value', 10)];
        yield 'setMultiple' => [static fn (Cache $c) => $c->setMultiple(['key' => 'value'])];
        yield 'delete' => [static fn (Cache $c) => $c->delete('key')];
        yield 'deleteMultiple' => [static fn (Cache $c) => $c->deleteMultiple(['key'])];
        yield 'clear' => [static fn (Cache $c) => $c->clear()];
        yield 'getTtl' => [static fn (Cache $c) => $c->getTtl('key')];
        yield 'getMultipleTtl' => [static fn (Cache $c) => $c->getMultipleTtl(['key'])];
        yield 'expire' => [static fn (Cache $c) => $c->expire('key', 10)];
    }

    /**
     * @dataProvider operations
     *
     * @param callable(Cache): mixed $operation
     */
    public function testAnUnknownStorageIsAStorageException(callable $operation): void
    {
        foreach (['RR_ERR_KV_NO_SUCH_STORAGE: no such storage "mem"', "rpc_has: no such storage\tmem"] as $error) {
            $rpc = (new ScriptedRpc())->fail($error);
            try {
                $operation($this->cache($rpc));
                self::fail('no exception');
            } catch (StorageException $e) {
                self::assertSame('Storage "mem" has not been defined. Please make sure your RoadRunner "kv" configuration contains a storage key named "mem"', $e->getMessage());
                self::assertInstanceOf(CacheException::class, $e);
                self::assertInstanceOf(ServiceException::class, $e->getPrevious());
            }
            self::assertCount(1, $rpc->calls);
        }
    }

    /**
     * @dataProvider operations
     *
     * @param callable(Cache): mixed $operation
     */
    public function testOtherRrErrorsAreKeyValueExceptionsCarryingTheServiceException(callable $operation): void
    {
        $rpc = (new ScriptedRpc())->fail("RR_ERR_KV_DRIVER: storage \"mem\": failed:\nconnection refused");

        try {
            $operation($this->cache($rpc));
            self::fail('no exception');
        } catch (KeyValueException $e) {
            self::assertSame(KeyValueException::class, $e::class);
            self::assertSame('Error \'RR_ERR_KV_DRIVER: storage "mem": failed: connection refused\' on tcp://127.0.0.1:6001', $e->getMessage());
            $previous = $e->getPrevious();
            self::assertInstanceOf(ServiceException::class, $previous);
            self::assertSame('RR_ERR_KV_DRIVER', $previous->getErrorCode());
        }
    }

    public function testADriverWithoutTtlSupportIsNotImplementedForTtlOnly(): void
    {
        $rpc = (new ScriptedRpc())
            ->fail('RR_ERR_KV_DRIVER: memcached_plugin_ttl: ttl not available')
            ->fail('RR_ERR_KV_DRIVER: memcached_plugin_ttl: ttl not available')
            ->fail('memcached_plugin_ttl: something else');
        $cache = $this->cache($rpc);

        foreach ([static fn () => $cache->getTtl('k'), static fn () => \iterator_to_array($cache->getMultipleTtl(['k']))] as $operation) {
            try {
                $operation();
                self::fail('no exception');
            } catch (NotImplementedException $e) {
                self::assertSame('Storage "mem" does not support kv.TTL RPC method execution. Please use another driver for the storage if you require this functionality', $e->getMessage());
                self::assertInstanceOf(ServiceException::class, $e->getPrevious());
            }
        }

        $this->expectExceptionObject(new KeyValueException("Error 'memcached_plugin_ttl: something else' on tcp://127.0.0.1:6001"));
        $cache->get('k');
    }

    public function testAnRrWithoutKvClearIsExplained(): void
    {
        $rpc = (new ScriptedRpc())->fail("rpc: can't find method kv.Clear");

        try {
            $this->cache($rpc)->clear();
            self::fail('no exception');
        } catch (KeyValueException $e) {
            self::assertSame('RoadRunner does not support kv.Clear RPC method. Please make sure you are using RoadRunner v2.3.1 or higher.', $e->getMessage());
            self::assertInstanceOf(ServiceException::class, $e->getPrevious());
        }
    }

    public function testAMalformedReplyIsAKeyValueException(): void
    {
        // An item announcing 5 bytes with 2 left.
        $rpc = (new ScriptedRpc())->reply("\x0a\x05\x0a\x01k");

        $this->expectException(KeyValueException::class);
        $this->expectExceptionMessage('Invalid protobuf kv.v1.Response received from rr');
        $this->cache($rpc)->get('k');
    }

    public function testWithSerializerReturnsACopyAndLeavesTheOriginalAlone(): void
    {
        $raw = new class () implements SerializerInterface {
            public function serialize(mixed $value): string
            {
                return (string) $value;
            }

            public function unserialize(string $value): mixed
            {
                return $value;
            }
        };
        $rpc = new ScriptedRpc();
        $cache = $this->cache($rpc);
        $rawCache = $cache->withSerializer($raw);

        self::assertNotSame($cache, $rawCache);
        self::assertSame($raw, $rawCache->getSerializer());
        self::assertInstanceOf(DefaultSerializer::class, $cache->getSerializer());
        self::assertSame('mem', $rawCache->getName());

        $rpc->reply(KvWire::response([KvWire::item('k', 'plain')]));
        self::assertSame('plain', $rawCache->get('k'));

        // The same bytes are not PHP-serialized data.
        $rpc->reply(KvWire::response([KvWire::item('k', 'plain')]));
        $this->expectException(SerializationException::class);
        $cache->get('k');
    }

    public function testTheRpcClientIsSwitchedToTheProtobufCodec(): void
    {
        $rpc = new ScriptedRpc();
        (new Cache($rpc, 'mem'))->has('k');
        $rpc->reply(KvWire::response([KvWire::item('k', 'i:1;')]));
        (new Factory($rpc))->select('other')->get('k');

        self::assertSame([Frame::CODEC_PROTO, Frame::CODEC_PROTO], \array_column($rpc->calls, 'codec'));
        self::assertSame(KvWire::keys('other', 'k'), $rpc->calls[1]['body']);
    }

    private function cache(ScriptedRpc $rpc, ?string $now = null, ?SerializerInterface $serializer = null): Cache
    {
        if ($now === null) {
            return new Cache($rpc, 'mem', $serializer);
        }

        return new class ($rpc, 'mem', $serializer, new \DateTimeImmutable($now)) extends Cache {
            public function __construct(RPCInterface $rpc, string $name, ?SerializerInterface $serializer, private readonly \DateTimeImmutable $frozen)
            {
                parent::__construct($rpc, $name, $serializer);
            }

            protected function now(): \DateTimeImmutable
            {
                return $this->frozen;
            }
        };
    }

    /**
     * @return list<array{string, string}> method and body of every call, all checked to be protobuf
     */
    private static function sent(ScriptedRpc $rpc): array
    {
        $sent = [];
        foreach ($rpc->calls as $call) {
            self::assertSame(Frame::CODEC_PROTO, $call['codec'], $call['method']);
            $sent[] = [$call['method'], $call['body']];
        }

        return $sent;
    }
}
