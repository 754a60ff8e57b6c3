<?php

declare(strict_types=1);

namespace RR\Tests\Jobs;

use PHPUnit\Framework\TestCase;
use RR\Jobs\Exception\JobsException;
use RR\Jobs\Internal\Protocol;
use RR\Jobs\Stat;
use RR\Tests\Support\JobsWire;

/**
 * The hand-written jobs.v1 codec against bytes worked out by hand from the .proto (PROTOCOL.md
 * §5.6), and against tests/Support/JobsWire.php, which encodes independently.
 */
final class ProtocolTest extends TestCase
{
    public function testEncodesAPushRequestByteForByte(): void
    {
        $job = Protocol::job('J', '1', 'p', ['h' => ['v']], ['priority' => 3, 'pipeline' => 'q', 'delay' => 4, 'auto_ack' => true]);

        self::assertSame(
            '0a1e'                        // PushRequest.job, 30 bytes
            . '0a014a'                    // job "J"
            . '120131'                    // id "1"
            . '1a0170'                    // payload "p"
            . '2208' . '0a0168' . '1203' . '0a0176' // headers entry {key "h", value HeaderValue{value ["v"]}}
            . '2a09' . '0803' . '120171' . '1804' . '3001', // options {priority 3, pipeline "q", delay 4, auto_ack}
            \bin2hex(Protocol::pushRequest($job)),
        );
    }

    public function testLeavesProto3DefaultsOutButAlwaysWritesTheOptions(): void
    {
        // Nothing but the pipeline: no payload, no headers, priority/delay 0 and auto_ack false are not written.
        self::assertSame('0a0141' . '12012d' . '2a03' . '12017a', \bin2hex(Protocol::job('A', '-', '', [], ['priority' => 0, 'pipeline' => 'z', 'delay' => 0, 'auto_ack' => false])));
        // A header without values is dropped, as the official client drops it.
        self::assertSame('2a00', \bin2hex(\substr(Protocol::job('A', '-', '', ['empty' => []], []), 6)));
    }

    public function testWritesKafkaFieldsAndMultiValueHeadersInOrder(): void
    {
        $options = ['priority' => 1, 'pipeline' => 'k', 'delay' => 0, 'auto_ack' => false, 'topic' => 't', 'metadata' => 'm', 'offset' => 5, 'partition' => 2];

        self::assertSame(
            '2a0f' . '0801' . '12016b' . '3a0174' . '42016d' . '4805' . '5002',
            \bin2hex(\substr(Protocol::job('A', '-', '', [], $options), 6)),
        );
        self::assertSame(
            JobsWire::job('A', 'id', "\x00bin\xff", ['b' => ['1', '2', ''], 'a' => ['x']], JobsWire::options('p', 7, 9, true, 't', 'm', 5, 2)),
            Protocol::job('A', 'id', "\x00bin\xff", ['b' => ['1', '2', ''], 'a' => ['x']], [...$options, 'pipeline' => 'p', 'priority' => 7, 'delay' => 9, 'auto_ack' => true]),
        );
    }

    public function testANegativeInt64TakesTenBytes(): void
    {
        // The client refuses negative priorities; the encoder still writes int64 as protobuf does.
        self::assertSame('2a0e' . '08ffffffffffffffffff01' . '120170', \bin2hex(\substr(Protocol::job('A', '-', '', [], ['priority' => -1, 'pipeline' => 'p']), 6)));
    }

    public function testLengthsOfAHundredAndTwentyEightBytesAndMoreTakeTwoVarintBytes(): void
    {
        $payload = \str_repeat('x', 300);
        $job = Protocol::job('A', '-', $payload, [], ['pipeline' => 'p']);

        self::assertSame("\x1a\xac\x02", \substr($job, 6, 3), 'payload: 300 = 0xac 0x02');
        self::assertSame(JobsWire::push(JobsWire::job('A', '-', $payload, [], JobsWire::options('p'))), Protocol::pushRequest($job));
        self::assertSame("\x0a\xba\x02", \substr(Protocol::pushRequest($job), 0, 3), 'the job: 3 + 3 + 303 + 5 = 314 bytes');
    }

    public function testEncodesBatchesPipelinesAndDeclareRequests(): void
    {
        $a = Protocol::job('A', '1', '', [], ['pipeline' => 'p']);
        $b = Protocol::job('B', '2', '', [], ['pipeline' => 'p']);

        self::assertSame('0a' . \sprintf('%02x', \strlen($a)) . \bin2hex($a) . '0a' . \sprintf('%02x', \strlen($b)) . \bin2hex($b), \bin2hex(Protocol::pushBatchRequest([$a, $b])));
        self::assertSame('', Protocol::pushBatchRequest([]));
        self::assertSame('0a01610a000a0162', \bin2hex(Protocol::pipelines(['a', '', 'b'])), 'an empty name is still an element');
        self::assertSame(
            '0a0b' . '0a046e616d65' . '1203713131' . '0a05' . '0a0178' . '1200', // entries {"name": "q11"}, {"x": ""}
            \bin2hex(Protocol::declareRequest(['name' => 'q11', 'x' => ''])),
        );
        self::assertSame(JobsWire::declare(['driver' => 'memory', 'name' => 'q', 'priority' => '10']), Protocol::declareRequest(['driver' => 'memory', 'name' => 'q', 'priority' => '10']));
    }

    public function testDecodesPipelines(): void
    {
        self::assertSame([], Protocol::decodePipelines(''));
        self::assertSame(['a', '', 'bc'], Protocol::decodePipelines("\x0a\x01a\x0a\x00\x0a\x02bc"));
        self::assertSame(['a'], Protocol::decodePipelines("\x10\x05\x0a\x01a\x1a\x01z"), 'unknown fields are skipped');
    }

    public function testDecodesStats(): void
    {
        $full = JobsWire::stat('p', 'memory', 'q', 3, 2, 1, true, 10);
        self::assertSame(
            '0a0170' . '12066d656d6f7279' . '1a0171' . '2003' . '2802' . '3001' . '3801' . '400a',
            \bin2hex($full),
            'the test encoder itself, checked by hand',
        );

        $stats = Protocol::decodeStats(JobsWire::stats($full, JobsWire::stat('paused', 'amqp', '', 0, 0, 0, false, 0), ''));

        self::assertEquals([
            new Stat('p', 'memory', 'q', 3, 2, 1, true, 10),
            new Stat('paused', 'amqp', '', 0, 0, 0, false, 0),
            new Stat('', '', '', 0, 0, 0, false, 0),
        ], $stats);
    }

    public function testReadsSixtyFourBitValuesAndTheLastOccurrenceWins(): void
    {
        $stat = "\x20" . \str_repeat("\xff", 9) . "\x01"   // active = -1 (int64)
            . "\x40" . \str_repeat("\xff", 9) . "\x01"     // priority = 2^64 - 1 (uint64) wraps to -1
            . "\x28\x80\x80\x80\x80\x10"                   // delayed = 2^32
            . "\x0a\x01a\x0a\x01b"                         // pipeline twice: "b" wins
            . "\x38\x02";                                  // ready: any non-zero varint

        $decoded = Protocol::decodeStats("\x0a" . \chr(\strlen($stat)) . $stat)[0];

        self::assertSame(-1, $decoded->getActive());
        self::assertSame(-1, $decoded->getPriority());
        self::assertSame(4294967296, $decoded->getDelayed());
        self::assertSame('b', $decoded->getPipeline());
        self::assertTrue($decoded->getReady());
    }

    public function testSkipsUnknownFieldsAndKnownFieldsOfAnotherWireType(): void
    {
        $unknown = "\x48\x96\x01" . "\x51" . \str_repeat("\x00", 8) . "\x5d\x01\x02\x03\x04" . "\x62\x02xx" . "\x6b\x08\x01\x6c";
        $stat = "\x22\x01x" . "\x08\x07" . $unknown . "\x0a\x01p" . "\x20\x05";

        self::assertEquals([new Stat('p', '', '', 5, 0, 0, false, 0)], Protocol::decodeStats("\x10\x01" . $unknown . "\x0a" . \chr(\strlen($stat)) . $stat));
    }

    /**
     * @return iterable<string, array{string, string}>
     */
    public function malformed(): iterable
    {
        yield 'stat longer than the bytes' => ["\x0a\x05\x0a\x01p", 'Invalid protobuf jobs.v1.Stats received from rr: 5 bytes needed at byte 2, 3 left'];
        yield 'truncated varint' => ["\x0a\x02\x20\x80", 'Invalid protobuf jobs.v1.Stat received from rr: truncated varint'];
        yield 'wire type 7' => ["\x0f", 'Invalid protobuf jobs.v1.Stats received from rr: field 1 has the invalid wire type 7'];
        yield 'eleven-byte varint' => ["\x08" . \str_repeat("\xff", 10) . "\x01", 'varint longer than 10 bytes'];
        yield 'field number 0' => ["\x02\x00", 'invalid field number in the tag at byte 0'];
        yield 'stray end-group' => ["\x0c", 'unexpected end-group tag of field 1'];
        yield 'group closed by another field' => ["\x0b\x14", 'group of field 1 closed by field 2'];
    }

    /**
     * @dataProvider malformed
     */
    public function testMalformedRepliesThrowJobsException(string $bytes, string $message): void
    {
        try {
            Protocol::decodeStats($bytes);
            self::fail('expected a JobsException');
        } catch (JobsException $e) {
            self::assertStringContainsString($message, $e->getMessage());
        }

        $this->expectException(JobsException::class);
        $this->expectExceptionMessage('Invalid protobuf jobs.v1.Pipelines received from rr');
        Protocol::decodePipelines("\x0a\x05ab");
    }
}
