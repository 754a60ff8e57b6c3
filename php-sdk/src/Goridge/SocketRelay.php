<?php

declare(strict_types=1);

namespace RR\Goridge;

use RR\Goridge\Exception\InvalidArgumentException;
use RR\Goridge\Exception\RelayException;
use RR\Goridge\Exception\TransportException;

/**
 * Frames over a TCP or Unix socket (ext-sockets), connected lazily on first use.
 *
 * Like Spiral\Goridge\SocketRelay it retries the connection a few times (RECONNECT_RETRIES + 1
 * attempts, RECONNECT_TIMEOUT µs apart) and reads with MSG_WAITALL; it also loops over short
 * reads of the header and verifies the header CRC.
 *
 * ```php
 * $relay = new SocketRelay('localhost', 7000);
 * $relay = new SocketRelay('/tmp/rr.sock', null, SocketType::UNIX);
 * ```
 */
class SocketRelay extends Relay implements ConnectedRelayInterface, \Stringable
{
    /** Same as {@see SocketType::TCP}, kept for code written against older SDKs. */
    public const SOCK_TCP = 0;
    /** Same as {@see SocketType::UNIX}, kept for code written against older SDKs. */
    public const SOCK_UNIX = 1;

    public const RECONNECT_RETRIES = 10;

    /** Microseconds between two connection attempts. */
    public const RECONNECT_TIMEOUT = 100;

    /** Largest single socket_recv request; bigger payloads are read in several calls. */
    private const READ_CHUNK = 1 << 20;

    private string $address;

    private ?int $port;

    private SocketType $type;

    private ?\Socket $socket = null;

    /**
     * @param string              $address host name or IP for TCP, socket path for Unix
     * @param int|null            $port    required for TCP, ignored for Unix
     *
     * @throws InvalidArgumentException
     */
    public function __construct(string $address, ?int $port = null, SocketType|int $type = SocketType::TCP)
    {
        if (!\extension_loaded('sockets')) {
            throw new InvalidArgumentException("The 'sockets' extension is required by SocketRelay");
        }

        if (\is_int($type)) {
            $type = SocketType::tryFrom($type)
                ?? throw new InvalidArgumentException(\sprintf("Undefined connection type %d on '%s'", $type, $address));
        }

        if ($type === SocketType::TCP) {
            $address = \strtolower($address);
            if ($port === null) {
                throw new InvalidArgumentException(\sprintf("No port given for TCP socket on '%s'", $address));
            }
            if ($port < 0 || $port > 65535) {
                throw new InvalidArgumentException(\sprintf("Invalid port given for TCP socket on '%s'", $address));
            }
        } else {
            $port = null;
        }

        if ($address === '') {
            throw new InvalidArgumentException('Socket address must not be empty');
        }

        $this->address = $address;
        $this->port = $port;
        $this->type = $type;
    }

    public function __destruct()
    {
        if ($this->isConnected()) {
            $this->close();
        }
    }

    public function __toString(): string
    {
        return $this->type === SocketType::TCP
            ? "tcp://{$this->address}:{$this->port}"
            : "unix://{$this->address}";
    }

    public function getAddress(): string
    {
        return $this->address;
    }

    public function getPort(): ?int
    {
        return $this->port;
    }

    public function getType(): SocketType
    {
        return $this->type;
    }

    public function isConnected(): bool
    {
        return $this->socket !== null;
    }

    /**
     * @param int $retries extra attempts after the first one
     * @param int $timeout microseconds to sleep between attempts
     */
    public function connect(int $retries = self::RECONNECT_RETRIES, int $timeout = self::RECONNECT_TIMEOUT): bool
    {
        if ($this->socket !== null) {
            return true;
        }

        $error = 'unknown error';
        for ($attempt = 0; $attempt <= \max(0, $retries); ++$attempt) {
            if ($attempt > 0) {
                \usleep(\max(0, $timeout));
            }

            // A socket whose connect() failed is in an unspecified state, so every attempt gets a fresh one.
            $socket = $this->type === SocketType::UNIX
                ? @\socket_create(\AF_UNIX, \SOCK_STREAM, 0)
                : @\socket_create(self::isIpv6($this->address) ? \AF_INET6 : \AF_INET, \SOCK_STREAM, \SOL_TCP);
            if ($socket === false) {
                throw new RelayException(\sprintf('Unable to create socket %s: %s', $this, \socket_strerror(\socket_last_error())));
            }

            if (@\socket_connect($socket, $this->address, $this->port ?? 0)) {
                $this->socket = $socket;

                return true;
            }

            $error = \socket_strerror(\socket_last_error($socket));
            \socket_close($socket);
        }

        throw new RelayException(\sprintf('Unable to establish connection %s: %s', $this, $error));
    }

    public function close(): void
    {
        if ($this->socket === null) {
            throw new RelayException(\sprintf("Unable to close socket '%s', socket already closed", $this));
        }

        \socket_close($this->socket);
        $this->socket = null;
    }

    public function hasFrame(): bool
    {
        $socket = $this->connected();
        $read = [$socket];
        $write = $except = null;
        $ready = @\socket_select($read, $write, $except, 0, 0);
        if ($ready === false) {
            throw new TransportException(\sprintf('Unable to poll %s: %s', $this, \socket_strerror(\socket_last_error($socket))));
        }

        return $ready > 0;
    }

    public function waitFrame(): Frame
    {
        $socket = $this->connected();
        $header = Frame::readHeader($this->read($socket, Frame::HEADER_SIZE, 'frame header'));
        $rest = $header[1] * 4 + $header[2];

        return Frame::initFrame($header, $rest > 0 ? $this->read($socket, $rest, 'frame body') : '');
    }

    public function send(Frame $frame): void
    {
        $socket = $this->connected();
        $body = Frame::pack($frame);
        $length = \strlen($body);
        $written = 0;

        while ($written < $length) {
            $n = @\socket_send($socket, $written === 0 ? $body : \substr($body, $written), $length - $written, 0);
            if ($n === false) {
                $errno = \socket_last_error($socket);
                if ($errno === \SOCKET_EINTR) {
                    continue;
                }
                throw new TransportException(\sprintf(
                    'Unable to write frame to %s (%d of %d bytes written): %s',
                    $this,
                    $written,
                    $length,
                    \socket_strerror($errno),
                ));
            }
            $written += $n;
        }
    }

    private function connected(): \Socket
    {
        $this->connect();
        \assert($this->socket !== null);

        return $this->socket;
    }

    /**
     * Reads exactly $length bytes, looping over short reads and interrupted calls.
     */
    private function read(\Socket $socket, int $length, string $what): string
    {
        $chunks = [];
        $left = $length;

        while ($left > 0) {
            $buffer = null;
            $n = @\socket_recv($socket, $buffer, \min($left, self::READ_CHUNK), \MSG_WAITALL);

            if ($n === false) {
                $errno = \socket_last_error($socket);
                if ($errno === \SOCKET_EINTR) {
                    continue;
                }
                throw new TransportException(\sprintf('Unable to read %s from %s: %s', $what, $this, \socket_strerror($errno)));
            }

            if ($n === 0 || $buffer === null) {
                throw new TransportException(\sprintf(
                    'Unable to read %s: %s was closed by the peer after %d of %d bytes %s',
                    $what,
                    $this,
                    $length - $left,
                    $length,
                    Frame::describeBytes(\implode('', $chunks)),
                ));
            }

            $chunks[] = $buffer;
            $left -= $n;
        }

        return \implode('', $chunks);
    }

    private static function isIpv6(string $address): bool
    {
        return \filter_var($address, \FILTER_VALIDATE_IP, \FILTER_FLAG_IPV6) !== false;
    }
}
