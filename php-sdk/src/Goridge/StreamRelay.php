<?php

declare(strict_types=1);

namespace RR\Goridge;

use RR\Goridge\Exception\InvalidArgumentException;
use RR\Goridge\Exception\TransportException;

/**
 * Frames over a pair of PHP streams, normally STDIN/STDOUT (the `pipes` relay).
 *
 * Unlike Spiral\Goridge\StreamRelay, the 12-byte header may arrive in several reads: the relay
 * keeps reading until the header, then the options and payload, are complete.
 */
class StreamRelay extends Relay implements BlockingRelayInterface
{
    /** Largest single fread request; bigger payloads are read in several calls. */
    private const READ_CHUNK = 1 << 20;

    /** @var resource */
    private $in;

    /** @var resource */
    private $out;

    /**
     * @param resource $in  readable stream
     * @param resource $out writable stream (may be the same resource, e.g. a socket)
     *
     * @throws InvalidArgumentException
     */
    public function __construct($in, $out)
    {
        if (!\is_resource($in) || \get_resource_type($in) !== 'stream') {
            throw new InvalidArgumentException('Expected a valid input resource stream');
        }
        if (!self::isReadable($in)) {
            throw new InvalidArgumentException('Input resource stream must be readable');
        }
        if (!\is_resource($out) || \get_resource_type($out) !== 'stream') {
            throw new InvalidArgumentException('Expected a valid output resource stream');
        }
        if (!self::isWritable($out)) {
            throw new InvalidArgumentException('Output resource stream must be writable');
        }

        $this->in = $in;
        $this->out = $out;
    }

    public function hasFrame(): bool
    {
        $meta = \stream_get_meta_data($this->in);
        if (\in_array($meta['stream_type'], ['MEMORY', 'TEMP'], true)) {
            // php://memory and php://temp cannot be selected on; they hold a frame when unread bytes remain.
            $stat = \fstat($this->in);
            $pos = \ftell($this->in);

            return $stat !== false && $pos !== false && $pos < $stat['size'];
        }

        $read = [$this->in];
        $write = $except = null;
        $ready = @\stream_select($read, $write, $except, 0, 0);

        return $ready !== false && $ready > 0;
    }

    public function waitFrame(): Frame
    {
        $header = Frame::readHeader($this->read(Frame::HEADER_SIZE, 'frame header'));
        $rest = $header[1] * 4 + $header[2];

        return Frame::initFrame($header, $rest > 0 ? $this->read($rest, 'frame body') : '');
    }

    public function send(Frame $frame): void
    {
        $body = Frame::pack($frame);
        $length = \strlen($body);
        $written = 0;

        while ($written < $length) {
            \error_clear_last();
            $n = @\fwrite($this->out, $written === 0 ? $body : \substr($body, $written));
            if ($n === false || $n === 0) {
                throw new TransportException(\sprintf(
                    'Unable to write frame to the stream (%d of %d bytes written): %s',
                    $written,
                    $length,
                    self::lastError(),
                ));
            }
            $written += $n;
        }
    }

    /**
     * Reads exactly $length bytes, looping over short reads.
     */
    private function read(int $length, string $what): string
    {
        $chunks = [];
        $left = $length;

        while ($left > 0) {
            \error_clear_last();
            $chunk = @\fread($this->in, \min($left, self::READ_CHUNK));

            if ($chunk === false) {
                throw new TransportException(\sprintf('Unable to read %s from the stream: %s', $what, self::lastError()));
            }

            if ($chunk === '') {
                if (\feof($this->in)) {
                    $got = \implode('', $chunks);
                    throw new TransportException(\sprintf(
                        'Unable to read %s: the stream was closed after %d of %d bytes %s',
                        $what,
                        $length - $left,
                        $length,
                        Frame::describeBytes($got),
                    ));
                }
                $this->awaitReadable();
                continue;
            }

            $chunks[] = $chunk;
            $left -= \strlen($chunk);
        }

        return \implode('', $chunks);
    }

    /**
     * An empty read without EOF happens on non-blocking streams: wait instead of spinning.
     */
    private function awaitReadable(): void
    {
        $read = [$this->in];
        $write = $except = null;
        if (@\stream_select($read, $write, $except, 1, 0) === false) {
            \usleep(1000);
        }
    }

    private static function lastError(): string
    {
        return \error_get_last()['message'] ?? 'unknown error';
    }

    /**
     * @param resource $stream
     */
    private static function isReadable($stream): bool
    {
        $mode = \stream_get_meta_data($stream)['mode'];

        return \str_contains($mode, 'r') || \str_contains($mode, '+');
    }

    /**
     * @param resource $stream
     */
    private static function isWritable($stream): bool
    {
        $mode = \stream_get_meta_data($stream)['mode'];

        return \strpbrk($mode, 'waxc+') !== false;
    }
}
