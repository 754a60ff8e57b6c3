<?php

declare(strict_types=1);

namespace RR\Tests\Support;

use RR\Goridge\Frame;
use RR\Goridge\Relay;
use RR\Goridge\SocketRelay;
use RR\Goridge\StreamRelay;
use RR\Worker\Worker;

/**
 * A Worker under test and the server's end of its relay, in one process: a socket pair read through
 * StreamRelay (the pipes relay, polled only while a PONG is due) or a Unix socket (SocketRelay,
 * polled before every chunk).
 */
final class Peer
{
    /** @var list<resource> */
    private array $streams;

    /**
     * @param resource       $server  the server's end
     * @param list<resource> $streams everything to close
     */
    private function __construct(public readonly Worker $worker, private $server, array $streams, private readonly ?Servers $servers = null)
    {
        $this->streams = $streams;
    }

    public static function pipes(): self
    {
        $pair = \stream_socket_pair(\STREAM_PF_UNIX, \STREAM_SOCK_STREAM, \STREAM_IPPROTO_IP);
        if ($pair === false) {
            throw new \RuntimeException('stream_socket_pair failed');
        }

        return new self(new Worker(new StreamRelay($pair[0], $pair[0]), false), $pair[1], $pair);
    }

    public static function socket(): self
    {
        $servers = new Servers();
        [$listener, $address] = $servers->unix();
        $relay = Relay::create($address);
        if (!$relay instanceof SocketRelay) {
            throw new \RuntimeException('expected a socket relay');
        }
        $relay->connect();
        $server = Servers::accept($listener);

        return new self(new Worker($relay, false), $server, [$server], $servers);
    }

    /** The server writes bytes; on Unix sockets they are readable as soon as fwrite() returns. */
    public function send(string $bytes): void
    {
        \fwrite($this->server, $bytes);
    }

    /** Everything the worker wrote so far. */
    public function received(): string
    {
        return Frames::drain($this->server);
    }

    /**
     * Everything the worker wrote so far, as frames.
     *
     * @return list<Frame>
     */
    public function frames(): array
    {
        return Frames::split($this->received());
    }

    public function close(): void
    {
        foreach ($this->streams as $stream) {
            if (\is_resource($stream)) {
                \fclose($stream);
            }
        }
        $this->streams = [];
        $this->servers?->close();
    }
}
