<?php

declare(strict_types=1);

namespace RR\Tests\KeyValue;

use PHPUnit\Framework\TestCase;
use RR\KeyValue\Exception\KeyValueException;
use RR\KeyValue\Internal\Item;
use RR\KeyValue\Internal\Protocol;

/**
 * The hand-written kv.v1 codec against bytes worked out by hand from the .proto (PROTOCOL.md §5.6).
 */
final class ProtocolTest extends TestCase
{
    public function testEncodesARequestAsProtocWould(): void
    {
        self::assertSame('0a036d656d12050a036b6579', \bin2hex(Protocol::encodeRequest('mem', [new Item('key')])));
        self::assertSame('0a036d656d', \bin2hex(Protocol::encodeRequest('mem', [])), 'kv.Clear: the storage only');
        self::assertSame('1200', \bin2hex(Protocol::encodeRequest('', [new Item('')])), 'an all-default item is still written');
        self::assertSame(
            '0a0173' . '12080a01611203000102' . '121e0a0162' . '1a19' . \bin2hex('2026-11-23T17:00:00+00:00'),
            \bin2hex(Protocol::encodeRequest('s', [new Item('a', "\x00\x01\x02"), new Item('b', '', '2026-11-23T17:00:00+00:00')])),
        );
    }

    public function testLengthsOfAHundredAndTwentyEightBytesAndMoreTakeTwoVarintBytes(): void
    {
        $value = \str_repeat('v', 200);
        $timeout = '2026-11-23T17:00:00+00:00';

        // item = 3 (key) + 3 + 200 (value) + 2 + 25 (timeout) = 233 = 0xe9 0x01
        self::assertSame(
            "\x0a\x03mem\x12\xe9\x01\x0a\x01k\x12\xc8\x01" . $value . "\x1a\x19" . $timeout,
            Protocol::encodeRequest('mem', [new Item('k', $value, $timeout)]),
        );
        $long = \str_repeat('k', 16384);
        self::assertSame("\x12\x84\x80\x01\x0a\x80\x80\x01", \substr(Protocol::encodeRequest('', [new Item($long)]), 0, 8));
    }

    public function testDecodesItemsWithFieldsInAnyOrder(): void
    {
        self::assertSame([], Protocol::decodeResponse(''));
        $items = Protocol::decodeResponse("\x0a\x09\x1a\x01t\x12\x01v\x0a\x01k" . "\x0a\x00" . "\x0a\x03\x0a\x01z");

        self::assertEquals([new Item('k', 'v', 't'), new Item(''), new Item('z')], $items);
    }

    public function testTheLastOccurrenceOfAFieldWins(): void
    {
        self::assertEquals([new Item('b', 'y')], Protocol::decodeResponse("\x0a\x0c\x0a\x01a\x12\x01x\x0a\x01b\x12\x01y"));
    }

    public function testSkipsUnknownFieldsAndKnownFieldsOfAnotherWireType(): void
    {
        $unknown = "\x20\x96\x01"              // field 4, varint 150
            . "\x29" . \str_repeat("\x00", 8)  // field 5, fixed64
            . "\x35\x01\x02\x03\x04"           // field 6, fixed32
            . "\x3a\x02xx"                     // field 7, 2 bytes
            . "\x43\x08\x01\x44";              // field 8, a group holding a varint
        $item = "\x10\x07" . $unknown . "\x0a\x01k";       // field 2 (value) as a varint: not bytes
        $bytes = "\x08\x05" . $unknown . "\x0a" . \chr(\strlen($item)) . $item;

        self::assertEquals([new Item('k')], Protocol::decodeResponse($bytes));
    }

    /**
     * @return iterable<string, array{string, string}>
     */
    public function malformed(): iterable
    {
        yield 'item longer than the bytes' => ["\x0a\x05\x0a\x01k", '5 bytes needed at byte 2, 3 left'];
        yield 'truncated varint' => ["\x0a\x80", 'truncated varint'];
        yield 'truncated tag' => ["\x80", 'truncated varint'];
        yield 'eleven-byte varint' => ["\x08" . \str_repeat("\xff", 10) . "\x01", 'varint longer than 10 bytes'];
        yield 'wire type 6' => ["\x0e", 'field 1 has the invalid wire type 6'];
        yield 'field number 0' => ["\x02\x00", 'invalid field number in the tag at byte 0'];
        yield 'stray end-group' => ["\x0c", 'unexpected end-group tag of field 1'];
        yield 'group closed by another field' => ["\x0b\x14", 'group of field 1 closed by field 2'];
        yield 'unclosed group' => ["\x0b\x08\x01", 'truncated varint'];
        yield 'malformed item' => ["\x0a\x01\x0e", 'Invalid protobuf kv.v1.Item received from rr: field 1 has the invalid wire type 6'];
    }

    /**
     * @dataProvider malformed
     */
    public function testMalformedBytesThrow(string $bytes, string $message): void
    {
        $this->expectException(KeyValueException::class);
        $this->expectExceptionMessage($message);
        Protocol::decodeResponse($bytes);
    }
}
