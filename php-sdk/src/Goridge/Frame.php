<?php

declare(strict_types=1);

namespace RR\Goridge;

use RR\Goridge\Exception\HeaderException;
use RR\Goridge\Exception\InvalidArgumentException;

/**
 * One goridge v3 frame: a 12-byte header, up to 10 uint32 options and an opaque payload.
 *
 * Layout (all integers little-endian):
 *
 * ```
 * 0      version << 4 | header length in 32-bit words (3 + number of options)
 * 1      flags (CONTROL, ERROR, CODEC_*)
 * 2..5   payload length (uint32)
 * 6..9   CRC-32 (PHP crc32(), Go crc32.ChecksumIEEE) of bytes 0..5
 * 10     byte10: STREAM / STOP / PING / PONG
 * 11     byte11: reserved, 0
 * 12..   options (uint32 each), then the payload
 * ```
 *
 * Mirrors Spiral\Goridge\Frame (goridge 4.x). Unlike it, {@see Frame::readHeader()} verifies the
 * header CRC, so a corrupted or polluted stream fails loudly instead of being misread.
 */
final class Frame
{
    /** Protocol version written into the upper nibble of byte 0. */
    public const VERSION = 0x01;

    /** Flag: control message (`{"pid":..}` / `{"stop":true}`), no options. */
    public const CONTROL = 0x01;

    /** Flag: the payload is an error message. */
    public const ERROR = 0x40;

    public const CODEC_RAW = 0x04;
    public const CODEC_JSON = 0x08;
    public const CODEC_MSGPACK = 0x10;
    public const CODEC_GOB = 0x20;
    public const CODEC_PROTO = 0x80;

    /** byte10, worker → server: this frame is a stream chunk, more follow. */
    public const BYTE10_STREAM = 0x01;
    /** byte10, server → worker: cancel the current stream. */
    public const BYTE10_STOP = 0x02;
    /** byte10, worker → server: please answer with a PONG. */
    public const BYTE10_PING = 0x04;
    /** byte10, server → worker: answer to a PING. */
    public const BYTE10_PONG = 0x08;

    /** Size of the fixed part of the header in bytes. */
    public const HEADER_SIZE = 12;

    /** Most options a frame may carry (header length nibble is at most 13 words). */
    public const MAX_OPTIONS = 10;

    private const UINT32_MAX = 0xFFFFFFFF;

    /** Version nibble of a received frame (always 1 on the wire; not validated, as in RoadRunner). */
    public int $version = self::VERSION;

    public int $byte10 = 0;

    public int $byte11 = 0;

    /**
     * @param list<int> $options
     */
    public function __construct(
        public ?string $payload,
        public array $options = [],
        public int $flags = 0,
    ) {
    }

    public function setFlag(int ...$flag): void
    {
        foreach ($flag as $f) {
            self::assertByte($f, 'Flags');
            $this->flags |= $f;
        }
    }

    public function hasFlag(int $flag): bool
    {
        self::assertByte($flag, 'Flags');

        return ($this->flags & $flag) !== 0;
    }

    public function setOptions(int ...$options): void
    {
        $this->options = \array_values($options);
    }

    /**
     * Serialises a frame into the exact bytes to put on the wire (one write per frame).
     *
     * @throws InvalidArgumentException when a field does not fit its wire size
     */
    public static function pack(Frame $frame): string
    {
        $count = \count($frame->options);
        if ($count > self::MAX_OPTIONS) {
            throw new InvalidArgumentException(\sprintf('A frame carries at most %d options, got %d', self::MAX_OPTIONS, $count));
        }

        self::assertByte($frame->flags, 'Flags');
        self::assertByte($frame->byte10, 'byte10');
        self::assertByte($frame->byte11, 'byte11');

        $payload = (string) $frame->payload;
        $length = \strlen($payload);
        if ($length > self::UINT32_MAX) {
            throw new InvalidArgumentException('Frame payload is larger than 4 GiB - 1');
        }

        $head = \pack('CCV', self::VERSION << 4 | ($count + 3), $frame->flags, $length);
        $head .= \pack('VCC', \crc32($head), $frame->byte10, $frame->byte11);

        foreach ($frame->options as $option) {
            if (!\is_int($option) || $option < 0 || $option > self::UINT32_MAX) {
                throw new InvalidArgumentException(\sprintf('Frame options must be uint32 values, got %s', \var_export($option, true)));
            }
            $head .= \pack('V', $option);
        }

        return $head . $payload;
    }

    /**
     * Alias of {@see Frame::pack()} under the official SDK's name.
     *
     * @internal
     */
    public static function packFrame(Frame $frame): string
    {
        return self::pack($frame);
    }

    /**
     * Parses and validates the fixed 12-byte header.
     *
     * Returns the official SDK's list `[flags, option count, payload length, byte10, byte11]`
     * extended with `[5 => version, 6 => crc]`.
     *
     * @return array{0: int, 1: int, 2: int, 3: int, 4: int, 5: int, 6: int}
     *
     * @throws HeaderException when the header is short, its length nibble is invalid or its CRC does not match
     */
    public static function readHeader(string $header): array
    {
        if (\strlen($header) < self::HEADER_SIZE) {
            throw new HeaderException(\sprintf(
                'Unable to read frame header: expected %d bytes, got %d %s',
                self::HEADER_SIZE,
                \strlen($header),
                self::describeBytes($header),
            ));
        }

        /** @var array{crc: int} $stored */
        $stored = \unpack('Vcrc', $header, 6);
        $computed = \crc32(\substr($header, 0, 6));
        if ($stored['crc'] !== $computed) {
            throw new HeaderException(\sprintf(
                'Invalid frame header: CRC mismatch (header carries 0x%08x, bytes 0-5 give 0x%08x), '
                . 'the stream is corrupted or something else wrote to it; header bytes %s',
                $stored['crc'],
                $computed,
                self::describeBytes(\substr($header, 0, self::HEADER_SIZE)),
            ));
        }

        $words = \ord($header[0]) & 0x0F;
        if ($words < 3) {
            throw new HeaderException(\sprintf(
                'Invalid frame header: header length of %d words is below the minimum of 3; header bytes %s',
                $words,
                self::describeBytes(\substr($header, 0, self::HEADER_SIZE)),
            ));
        }

        /** @var array{len: int} $len */
        $len = \unpack('Vlen', $header, 2);

        return [
            \ord($header[1]),
            $words - 3,
            $len['len'],
            \ord($header[10]),
            \ord($header[11]),
            \ord($header[0]) >> 4,
            $stored['crc'],
        ];
    }

    /**
     * Builds a frame from a parsed header and the bytes that followed it (options, then payload).
     *
     * @param array{0: int, 1: int, 2?: int, 3?: int, 4?: int, 5?: int} $header as returned by {@see readHeader()}
     *
     * @internal
     */
    public static function initFrame(array $header, string $body): Frame
    {
        $optionBytes = $header[1] * 4;
        $options = [];
        if ($optionBytes > 0) {
            /** @var array<int, int> $unpacked */
            $unpacked = \unpack('V' . $header[1], $body);
            $options = \array_values($unpacked);
        }

        $frame = new self(\substr($body, $optionBytes), $options, $header[0]);
        $frame->byte10 = $header[3] ?? 0;
        $frame->byte11 = $header[4] ?? 0;
        $frame->version = $header[5] ?? self::VERSION;

        return $frame;
    }

    /**
     * Parses one complete frame held in memory (header, options and payload, nothing more).
     *
     * @throws HeaderException when the header is invalid or the buffer length does not match it
     */
    public static function parse(string $bytes): Frame
    {
        $header = self::readHeader($bytes);
        $expected = self::HEADER_SIZE + $header[1] * 4 + $header[2];
        if (\strlen($bytes) !== $expected) {
            throw new HeaderException(\sprintf(
                'Invalid frame: header announces %d bytes in total, buffer holds %d',
                $expected,
                \strlen($bytes),
            ));
        }

        return self::initFrame($header, \substr($bytes, self::HEADER_SIZE));
    }

    /**
     * Renders bytes for error messages: hex dump plus a printable rendering, so stray
     * text (a PHP warning, an echo) is recognisable.
     *
     * @internal
     */
    public static function describeBytes(string $bytes): string
    {
        $hex = \implode(' ', \str_split(\bin2hex($bytes), 2));
        $text = \preg_replace('/[^\x20-\x7e]/', '.', $bytes);

        return \sprintf('[%s] "%s"', $hex, $text);
    }

    private static function assertByte(int $value, string $what): void
    {
        if ($value < 0 || $value > 255) {
            throw new InvalidArgumentException(\sprintf('%s can be byte only, got %d', $what, $value));
        }
    }
}
