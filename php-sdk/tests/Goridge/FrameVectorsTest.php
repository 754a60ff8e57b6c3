<?php

declare(strict_types=1);

namespace RR\Tests\Goridge;

use PHPUnit\Framework\TestCase;
use RR\Goridge\Frame;
use RR\Tests\Support\Vectors;

/**
 * Every golden frame of packages/goridge/test/vectors decodes and encodes byte for byte,
 * so the PHP and TypeScript sides agree on the wire format.
 */
final class FrameVectorsTest extends TestCase
{
    /**
     * @return iterable<string, array{array{name: string, description: string, hex: string, frame: array{version: int, flags: int, byte10: int, options: list<int>, payloadHex: string, payloadLength: int, crc: int}}}>
     */
    public function vectors(): iterable
    {
        foreach (Vectors::all() as $name => $vector) {
            yield $name => [$vector];
        }
    }

    public function testTheVectorFileHoldsTheElevenFramesOfTheProtocol(): void
    {
        self::assertCount(11, Vectors::all());
    }

    /**
     * @dataProvider vectors
     *
     * @param array{name: string, hex: string, frame: array{version: int, flags: int, byte10: int, options: list<int>, payloadHex: string, payloadLength: int, crc: int}} $vector
     */
    public function testParsesTheHexOfTheVector(array $vector): void
    {
        $this->assertFrameMatches($vector, (string) \hex2bin($vector['hex']));
    }

    /**
     * @dataProvider vectors
     *
     * @param array{name: string, hex: string, frame: array{version: int, flags: int, byte10: int, options: list<int>, payloadHex: string, payloadLength: int, crc: int}} $vector
     */
    public function testParsesTheBinFileOfTheVector(array $vector): void
    {
        $bytes = \file_get_contents(Vectors::DIR . '/' . $vector['name'] . '.bin');
        self::assertIsString($bytes);
        self::assertSame($vector['hex'], \bin2hex($bytes), 'the .bin file and the hex in frames.json agree');
        $this->assertFrameMatches($vector, $bytes);
    }

    /**
     * @dataProvider vectors
     *
     * @param array{name: string, hex: string, frame: array{version: int, flags: int, byte10: int, options: list<int>, payloadHex: string, payloadLength: int, crc: int}} $vector
     */
    public function testPacksTheFrameFieldsIntoTheVectorBytes(array $vector): void
    {
        $fields = $vector['frame'];
        $frame = new Frame((string) \hex2bin($fields['payloadHex']), $fields['options'], $fields['flags']);
        $frame->byte10 = $fields['byte10'];

        self::assertSame($vector['hex'], \bin2hex(Frame::pack($frame)));
        self::assertSame($vector['hex'], \bin2hex(Frame::packFrame($frame)), 'the official SDK name packs the same bytes');
    }

    /**
     * @param array{name: string, hex: string, frame: array{version: int, flags: int, byte10: int, options: list<int>, payloadHex: string, payloadLength: int, crc: int}} $vector
     */
    private function assertFrameMatches(array $vector, string $bytes): void
    {
        $fields = $vector['frame'];

        $header = Frame::readHeader($bytes);
        self::assertSame($fields['flags'], $header[0], 'flags');
        self::assertSame(\count($fields['options']), $header[1], 'option count');
        self::assertSame($fields['payloadLength'], $header[2], 'payload length');
        self::assertSame($fields['byte10'], $header[3], 'byte10');
        self::assertSame(0, $header[4], 'byte11');
        self::assertSame($fields['version'], $header[5], 'version');
        self::assertSame($fields['crc'], $header[6], 'crc');
        self::assertSame($fields['crc'], \crc32(\substr($bytes, 0, 6)), 'PHP crc32() of bytes 0-5 is the stored CRC');

        $frame = Frame::parse($bytes);
        self::assertSame($fields['version'], $frame->version);
        self::assertSame($fields['flags'], $frame->flags);
        self::assertSame($fields['byte10'], $frame->byte10);
        self::assertSame(0, $frame->byte11);
        self::assertSame($fields['options'], $frame->options);
        self::assertSame($fields['payloadHex'], \bin2hex((string) $frame->payload));
    }
}
