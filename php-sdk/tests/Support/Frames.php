<?php

declare(strict_types=1);

namespace RR\Tests\Support;

use RR\Goridge\Frame;

/**
 * Builds server-side frames and reads what the code under test wrote.
 */
final class Frames
{
    public static function control(string $json): string
    {
        return Frame::pack(new Frame($json, [], Frame::CONTROL | Frame::CODEC_JSON));
    }

    public static function request(string $context, string $body, int $flags = Frame::CODEC_RAW): string
    {
        return Frame::pack(new Frame($context . $body, [\strlen($context)], $flags));
    }

    public static function streamStop(): string
    {
        $frame = new Frame(null);
        $frame->byte10 = Frame::BYTE10_STOP;

        return Frame::pack($frame);
    }

    public static function pong(): string
    {
        $frame = new Frame(null);
        $frame->byte10 = Frame::BYTE10_PONG;

        return Frame::pack($frame);
    }

    /**
     * Reads whatever is readable from $stream within $timeout seconds of quiet.
     *
     * @param resource $stream
     */
    public static function drain($stream, float $timeout = 0.05): string
    {
        $data = '';
        while (true) {
            $read = [$stream];
            $write = $except = null;
            $ready = \stream_select($read, $write, $except, 0, (int) ($timeout * 1_000_000));
            if ($ready !== 1) {
                return $data;
            }
            $chunk = \fread($stream, 65536);
            if ($chunk === false || $chunk === '') {
                return $data;
            }
            $data .= $chunk;
        }
    }

    /**
     * Reads exactly one frame from a blocking stream, failing after $timeout seconds.
     *
     * @param resource $stream
     */
    public static function readOne($stream, float $timeout = 5.0): Frame
    {
        $header = self::readExactly($stream, Frame::HEADER_SIZE, $timeout);
        $parts = Frame::readHeader($header);
        $rest = $parts[1] * 4 + $parts[2];

        return Frame::initFrame($parts, $rest > 0 ? self::readExactly($stream, $rest, $timeout) : '');
    }

    /**
     * Splits a byte string into frames.
     *
     * @return list<Frame>
     */
    public static function split(string $bytes): array
    {
        $frames = [];
        while ($bytes !== '') {
            $parts = Frame::readHeader($bytes);
            $length = Frame::HEADER_SIZE + $parts[1] * 4 + $parts[2];
            $frames[] = Frame::parse(\substr($bytes, 0, $length));
            $bytes = (string) \substr($bytes, $length);
        }

        return $frames;
    }

    /**
     * @param resource $stream
     */
    public static function readExactly($stream, int $length, float $timeout = 5.0): string
    {
        $data = '';
        $deadline = \microtime(true) + $timeout;
        while (\strlen($data) < $length) {
            $left = $deadline - \microtime(true);
            if ($left <= 0) {
                throw new \RuntimeException(\sprintf('Timed out after %d of %d bytes', \strlen($data), $length));
            }
            $read = [$stream];
            $write = $except = null;
            if (\stream_select($read, $write, $except, 0, (int) ($left * 1_000_000)) !== 1) {
                continue;
            }
            $chunk = \fread($stream, $length - \strlen($data));
            if ($chunk === false || ($chunk === '' && \feof($stream))) {
                throw new \RuntimeException(\sprintf('Stream closed after %d of %d bytes', \strlen($data), $length));
            }
            $data .= $chunk;
        }

        return $data;
    }
}
