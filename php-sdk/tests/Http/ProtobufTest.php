<?php

declare(strict_types=1);

namespace RR\Tests\Http;

use PHPUnit\Framework\TestCase;
use RR\Http\Exception\RequestContextException;
use RR\Http\Internal\Protobuf;
use RR\Tests\Support\HttpContext;

/**
 * The hand-rolled http.v1 protobuf codec. The golden bytes were produced with protoc 3.21
 * (`protoc --encode=http.v1.Request http.proto`) from the messages in the comments.
 */
final class ProtobufTest extends TestCase
{
    /**
     * remote_addr: "10.0.0.1" protocol: "HTTP/2.0" method: "POST" uri: "https://example.com/a?x=1"
     * header { key: "Accept" value { value: "text/html" value: "application/json" } }
     * cookies { key: "s" value { value: "abc" } }
     * raw_query: "x=1" parsed: true uploads: "{\"f\":{\"name\":\"a.txt\"}}"
     * attributes { key: "ipAddress" value { value: "1.2.3.4" } }
     */
    private const GOLDEN_REQUEST = '0a0831302e302e302e311208485454502f322e301a04504f5354221968747470733a2f2f6578616d706c652e636f6d2f613f783d312a270a06416363657074121d0a09746578742f68746d6c0a106170706c69636174696f6e2f6a736f6e320a0a017312050a036162633a03783d3140014a167b2266223a7b226e616d65223a22612e747874227d7d52160a0969704164647265737312090a07312e322e332e34';

    private const GOLDEN_FIELDS = [
        'remoteAddr' => '10.0.0.1',
        'protocol' => 'HTTP/2.0',
        'method' => 'POST',
        'uri' => 'https://example.com/a?x=1',
        'headers' => ['Accept' => ['text/html', 'application/json']],
        'cookies' => ['s' => ['abc']],
        'rawQuery' => 'x=1',
        'parsed' => true,
        'uploads' => '{"f":{"name":"a.txt"}}',
        'attributes' => ['ipAddress' => ['1.2.3.4']],
    ];

    public function testDecodesTheGoldenRequest(): void
    {
        self::assertSame(self::GOLDEN_FIELDS, Protobuf::decodeRequest((string) \hex2bin(self::GOLDEN_REQUEST)));
    }

    public function testTheTestEncoderProducesTheGoldenRequest(): void
    {
        $context = self::GOLDEN_FIELDS;
        $context['uploads'] = ['f' => ['name' => 'a.txt']];
        $context['cookies'] = ['s' => 'abc'];

        self::assertSame(self::GOLDEN_REQUEST, \bin2hex(HttpContext::proto($context)));
    }

    public function testAnEmptyMessageHasTheDefaults(): void
    {
        self::assertSame([
            'remoteAddr' => '',
            'protocol' => '',
            'method' => '',
            'uri' => '',
            'headers' => [],
            'cookies' => [],
            'rawQuery' => '',
            'parsed' => false,
            'uploads' => '',
            'attributes' => [],
        ], Protobuf::decodeRequest(''));
    }

    public function testSkipsUnknownFieldsOfEveryWireTypeAndKnownFieldsOfTheWrongWireType(): void
    {
        $bytes = "\x78\x01"                              // field 15, varint
            . "\x81\x01" . \str_repeat("\xff", 8)        // field 16, fixed64
            . "\x1a\x03GET"                             // method
            . "\x8d\x01" . \str_repeat("\xee", 4)        // field 17, fixed32
            . "\x92\x01\x02xx"                          // field 18, bytes
            . "\x9b\x01\x08\x05\x12\x01z\x9c\x01"       // field 19, a group holding a varint and bytes
            . "\x08\x07"                                // remote_addr as a varint: skipped
            . "\x42\x01\x01"                            // parsed as bytes: skipped
            . "\x2a\x0a\x0a\x01A\x12\x03\x0a\x01a\x18\x09"; // a header entry with an unknown varint field 3

        $request = Protobuf::decodeRequest($bytes);

        self::assertSame('GET', $request['method']);
        self::assertSame('', $request['remoteAddr']);
        self::assertFalse($request['parsed']);
        self::assertSame(['A' => ['a']], $request['headers']);
    }

    public function testFollowsTheMergeRulesOfProtobuf(): void
    {
        $bytes = "\x1a\x03GET"
            . "\x40\x01"                                      // parsed = true
            . "\x2a\x08\x0a\x01A\x12\x03\x0a\x01a"            // A: [a]
            . "\x2a\x08\x0a\x01A\x12\x03\x0a\x01b"            // A again: replaces the entry
            . "\x2a\x0d\x0a\x01B\x12\x03\x0a\x011\x12\x03\x0a\x012" // B with its value message twice: merged
            . "\x2a\x05\x12\x03\x0a\x01k"                     // an entry without key: ''
            . "\x32\x03\x0a\x01c"                             // a cookie without value: []
            . "\x1a\x04POST"                                  // the last scalar wins
            . "\x40\x00";                                     // parsed = false again

        $request = Protobuf::decodeRequest($bytes);

        self::assertSame('POST', $request['method']);
        self::assertFalse($request['parsed']);
        self::assertSame(['A' => ['b'], 'B' => ['1', '2'], '' => ['k']], $request['headers']);
        self::assertSame(['c' => []], $request['cookies']);
    }

    public function testAnyNonZeroVarintIsTrue(): void
    {
        self::assertTrue(Protobuf::decodeRequest("\x40\x80\x01")['parsed']);
    }

    /**
     * @return iterable<string, array{string, string}>
     */
    public function malformed(): iterable
    {
        yield 'truncated tag' => ["\x80", 'truncated varint'];
        yield 'truncated length' => ["\x0a", 'truncated varint'];
        yield 'length beyond the end' => ["\x0a\x05abc", 'field 1 at byte 1 announces 5 bytes, 3 left'];
        yield 'truncated fixed64' => ["\x81\x01\x00", '8 bytes needed at byte 2, 1 left'];
        yield 'truncated fixed32' => ["\x8d\x01\x00", '4 bytes needed at byte 2, 1 left'];
        yield 'field number 0' => ["\x02\x00", 'invalid field number in tag at byte 0'];
        yield 'wire type 6' => ["\x0e", 'field 1 has the invalid wire type 6'];
        yield 'wire type 7' => ["\x0f", 'field 1 has the invalid wire type 7'];
        yield 'stray end group' => ["\x0c", 'unexpected end-group tag of field 1'];
        yield 'unclosed group' => ["\x9b\x01\x08\x01", 'group of field 19 is not closed'];
        yield 'group closed by another field' => ["\x9b\x01\x0c", 'group of field 19 closed by field 1'];
        yield 'varint of 11 bytes' => ["\x40" . \str_repeat("\xff", 10) . "\x01", 'varint longer than 10 bytes'];
        yield 'malformed map entry' => ["\x2a\x02\x0a\x05", 'Invalid protobuf map entry: field 1 at byte 1 announces 5 bytes, 0 left'];
        yield 'malformed header value' => ["\x2a\x04\x12\x02\x0a\x05", 'Invalid protobuf http.v1.HeaderValue: field 1 at byte 1 announces 5 bytes, 0 left'];
    }

    /**
     * @dataProvider malformed
     */
    public function testRejectsMalformedInput(string $bytes, string $message): void
    {
        $this->expectException(RequestContextException::class);
        $this->expectExceptionMessage($message);

        Protobuf::decodeRequest($bytes);
    }

    /**
     * @return iterable<string, array{int, array<array-key, list<string>>, string}>
     */
    public function responses(): iterable
    {
        // status: 200 headers { key: "Content-Type" value { value: "text/plain" } }
        yield 'status and a header' => [200, ['Content-Type' => ['text/plain']], '08c801121c0a0c436f6e74656e742d54797065120c0a0a746578742f706c61696e'];
        // status: 300 headers { key: "A" value { value: "x" value: "y" } }
        yield 'several values' => [300, ['A' => ['x', 'y']], '08ac02120b0a014112060a01780a0179'];
        // status: -300
        yield 'negative int64' => [-300, [], '08d4fdffffffffffffff01'];
        // status: 9223372036854775807 headers { key: "" value { } }: key and value are always written
        yield 'largest int64, empty entry' => [\PHP_INT_MAX, ['' => []], '08ffffffffffffffff7f12040a001200'];
        yield 'zero status is omitted' => [0, [], ''];
        // status: 1 headers { key: "7" value { value: "v" } }
        yield 'numeric header name' => [1, [7 => ['v']], '080112080a013712030a0176'];
    }

    /**
     * @dataProvider responses
     *
     * @param array<array-key, list<string>> $headers
     */
    public function testEncodesTheResponse(int $status, array $headers, string $hex): void
    {
        self::assertSame($hex, \bin2hex(Protobuf::encodeResponse($status, $headers)));
        self::assertSame($hex, \bin2hex(HttpContext::protoResponse($status, $headers)), 'the test encoder agrees');
    }

    /**
     * @return iterable<string, array{int, string}>
     */
    public function varints(): iterable
    {
        yield '0' => [0, '00'];
        yield '1' => [1, '01'];
        yield '127' => [127, '7f'];
        yield '128' => [128, '8001'];
        yield '300' => [300, 'ac02'];
        yield '16384' => [16384, '808001'];
        yield 'int max' => [\PHP_INT_MAX, 'ffffffffffffffff7f'];
        yield '-1' => [-1, 'ffffffffffffffffff01'];
        yield 'int min' => [\PHP_INT_MIN, '80808080808080808001'];
    }

    /**
     * @dataProvider varints
     */
    public function testEncodesVarints(int $value, string $hex): void
    {
        self::assertSame($hex, \bin2hex(Protobuf::varint($value)));
    }
}
