<?php

declare(strict_types=1);

namespace RR\Goridge;

use RR\Goridge\Exception\InvalidArgumentException;
use RR\Goridge\Exception\RelayFactoryException;

/**
 * Base relay with the address factory (Spiral\Goridge\Relay).
 */
abstract class Relay implements RelayInterface
{
    public const TCP_SOCKET = 'tcp';
    public const UNIX_SOCKET = 'unix';
    public const PIPES = 'pipes';

    /**
     * Creates a relay from an address as RoadRunner passes it in RR_RELAY / RR_RPC.
     *
     * - `pipes`: STDIN/STDOUT;
     * - `tcp://host:port`: TCP socket (host lower-cased; host and port required, so the
     *   Go-style `tcp://:7000` is rejected exactly as the official SDK rejects it);
     * - `unix:///path/to.sock`: Unix socket at `/path/to.sock`;
     * - `pipes://in:out`: `php://in` / `php://out` streams.
     *
     * The protocol is case-insensitive. Socket relays connect lazily, on first use.
     *
     * @throws RelayFactoryException for an address that is not one of the above
     */
    public static function create(string $connection): RelayInterface
    {
        if ($connection === self::PIPES) {
            return new StreamRelay(\STDIN, \STDOUT);
        }

        if (\preg_match('~^(?P<protocol>[^:/]+)://(?P<rest>.*)$~s', $connection, $match) !== 1) {
            throw new RelayFactoryException(\sprintf(
                "Unsupported connection format '%s', expected pipes, tcp://host:port or unix:///path",
                $connection,
            ));
        }

        $protocol = \strtolower($match['protocol']);
        $rest = $match['rest'];

        try {
            switch ($protocol) {
                case self::TCP_SOCKET:
                    if (\preg_match('~^(?P<host>[^:]+):(?P<port>\d{1,5})$~', $rest, $tcp) !== 1 || (int) $tcp['port'] > 65535) {
                        throw new RelayFactoryException(\sprintf("Invalid TCP address '%s', expected tcp://host:port", $connection));
                    }

                    return new SocketRelay($tcp['host'], (int) $tcp['port'], SocketType::TCP);

                case self::UNIX_SOCKET:
                    if ($rest === '') {
                        throw new RelayFactoryException(\sprintf("Missing socket path in '%s'", $connection));
                    }

                    return new SocketRelay($rest, null, SocketType::UNIX);

                case self::PIPES:
                    if (\preg_match('~^(?P<in>[^:]+):(?P<out>[^:]+)$~', $rest, $pipes) !== 1) {
                        throw new RelayFactoryException(\sprintf("Invalid stream address '%s', expected pipes://in:out", $connection));
                    }

                    return new StreamRelay(self::open($pipes['in'], 'rb', $connection), self::open($pipes['out'], 'wb', $connection));

                default:
                    throw new RelayFactoryException(\sprintf("Unknown connection protocol '%s' in '%s'", $protocol, $connection));
            }
        } catch (InvalidArgumentException $e) {
            throw new RelayFactoryException($e->getMessage(), 0, $e);
        }
    }

    public function hasFrame(): bool
    {
        return false;
    }

    /**
     * @return resource
     */
    private static function open(string $name, string $mode, string $connection)
    {
        $resource = @\fopen('php://' . $name, $mode);
        if ($resource === false) {
            throw new RelayFactoryException(\sprintf("Could not open php://%s for '%s'", $name, $connection));
        }

        return $resource;
    }
}
