<?php

declare(strict_types=1);

namespace RR\Tests\Goridge;

use PHPUnit\Framework\TestCase;
use RR\Goridge\Exception\HeaderException;
use RR\Goridge\Exception\InvalidArgumentException;
use RR\Goridge\Exception\TransportException;
use RR\Goridge\Frame;
use RR\Tests\Support\Vectors;

final class FrameTest extends TestCase
{
    public function testRejectsAHeaderWhoseCrcDoesNotMatchAndShowsTheBytes(): void
    {
        $bytes = Vectors::bytes('pid-request');
        $bytes[6] = "\x00"; // corrupt the stored CRC

        try {
            Frame::parse($bytes);
            self::fail('expected a HeaderException');
        } catch (HeaderException $e) {
            self::assertInstanceOf(TransportException::class, $e, 'a CRC failure is a transport failure');
            self::assertStringContainsString('CRC mismatch', $e->getMessage());
            self::assertStringContainsString('[13 09 0d 00 00 00 00 6b fa cb 00 00]', $e->getMessage());
            self::assertStringContainsString('0xcbfa6b00', $e->getMessage(), 'the stored CRC');
            self::assertStringContainsString('0xcbfa6b3a', $e->getMessage(), 'the computed CRC');
        }
    }

    public function testShowsStrayTextReadableWhenSomethingElseWroteToTheStream(): void
    {
        $this->expectException(HeaderException::class);
        $this->expectExceptionMessage('[57 61 72 6e 69 6e 67 3a 20 66 6f 6f] "Warning: foo"');

        Frame::readHeader("Warning: foo bar baz\n");
    }

    public function testRejectsAShortHeader(): void
    {
        $this->expectException(HeaderException::class);
        $this->expectExceptionMessage('expected 12 bytes, got 5 [13 09 0d 00 00]');

        Frame::readHeader("\x13\x09\x0d\x00\x00");
    }

    public function testRejectsAHeaderLengthBelowThreeWords(): void
    {
        $head = \pack('CCV', 0x12, 0, 0);
        $bytes = $head . \pack('VCC', \crc32($head), 0, 0);

        $this->expectException(HeaderException::class);
        $this->expectExceptionMessage('header length of 2 words is below the minimum of 3');

        Frame::readHeader($bytes);
    }

    public function testParseRejectsABufferShorterOrLongerThanTheHeaderAnnounces(): void
    {
        $bytes = Vectors::bytes('request-raw');

        try {
            Frame::parse(\substr($bytes, 0, -1));
            self::fail('expected a HeaderException for the truncated frame');
        } catch (HeaderException $e) {
            self::assertStringContainsString('announces 28 bytes in total, buffer holds 27', $e->getMessage());
        }

        $this->expectException(HeaderException::class);
        $this->expectExceptionMessage('announces 28 bytes in total, buffer holds 29');
        Frame::parse($bytes . 'x');
    }

    public function testDoesNotValidateTheVersionNibbleLikeRoadRunner(): void
    {
        $head = \pack('CCV', 0x23, Frame::CONTROL, 2);
        $frame = Frame::parse($head . \pack('VCC', \crc32($head), 0, 0) . '{}');

        self::assertSame(2, $frame->version);
        self::assertSame('{}', $frame->payload);
    }

    public function testPacksTenOptionsAndRejectsAnEleventh(): void
    {
        $frame = new Frame('x', \range(1, 10));
        $bytes = Frame::pack($frame);
        self::assertSame(0x1d, \ord($bytes[0]), 'version 1, 13 header words');
        self::assertSame(\range(1, 10), Frame::parse($bytes)->options);

        $this->expectException(InvalidArgumentException::class);
        $this->expectExceptionMessage('at most 10 options, got 11');
        Frame::pack(new Frame('x', \range(1, 11)));
    }

    public function testPacksOptionsAsUnsignedLittleEndianAndRejectsOutOfRangeValues(): void
    {
        $bytes = Frame::pack(new Frame('', [0xFFFFFFFF, 0x01020304]));
        self::assertSame('ffffffff04030201', \bin2hex(\substr($bytes, 12)));
        self::assertSame([0xFFFFFFFF, 0x01020304], Frame::parse($bytes)->options);

        $this->expectException(InvalidArgumentException::class);
        $this->expectExceptionMessage('uint32');
        Frame::pack(new Frame('', [-1]));
    }

    public function testFlagsAndByte10AreBytes(): void
    {
        $frame = new Frame('');
        $frame->setFlag(Frame::CONTROL, Frame::CODEC_JSON);
        self::assertSame(0x09, $frame->flags);
        self::assertTrue($frame->hasFlag(Frame::CODEC_JSON));
        self::assertFalse($frame->hasFlag(Frame::ERROR));

        $frame->byte10 = 256;
        try {
            Frame::pack($frame);
            self::fail('expected byte10 > 255 to be rejected');
        } catch (InvalidArgumentException $e) {
            self::assertStringContainsString('byte10 can be byte only', $e->getMessage());
        }

        $this->expectException(InvalidArgumentException::class);
        $this->expectExceptionMessage('Flags can be byte only');
        $frame->setFlag(0x100);
    }

    public function testANullPayloadPacksAsEmpty(): void
    {
        $frame = new Frame(null);
        $frame->setOptions(0);

        $parsed = Frame::parse(Frame::pack($frame));
        self::assertSame('', $parsed->payload);
        self::assertSame([0], $parsed->options);
    }

    public function testOneByteFlagsAndByte10SurviveARoundTripForEveryValue(): void
    {
        for ($i = 0; $i < 256; ++$i) {
            $frame = new Frame(\str_repeat('a', $i), [$i], $i);
            $frame->byte10 = 255 - $i;
            $parsed = Frame::parse(Frame::pack($frame));
            self::assertSame([$i, 255 - $i, [$i], $i], [$parsed->flags, $parsed->byte10, $parsed->options, \strlen((string) $parsed->payload)]);
        }
    }
}
