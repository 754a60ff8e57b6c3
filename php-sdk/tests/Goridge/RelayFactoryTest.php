<?php

declare(strict_types=1);

namespace RR\Tests\Goridge;

use PHPUnit\Framework\TestCase;
use RR\Goridge\BlockingRelayInterface;
use RR\Goridge\Exception\InvalidArgumentException;
use RR\Goridge\Exception\RelayException;
use RR\Goridge\Exception\RelayFactoryException;
use RR\Goridge\Relay;
use RR\Goridge\SocketRelay;
use RR\Goridge\SocketType;
use RR\Goridge\StreamRelay;

/**
 * Relay::create() parses RR_RELAY / RR_RPC addresses like the official SDK.
 */
final class RelayFactoryTest extends TestCase
{
    public function testPipesIsAStreamRelayOverStdinAndStdout(): void
    {
        $relay = Relay::create('pipes');

        self::assertInstanceOf(StreamRelay::class, $relay);
        self::assertInstanceOf(BlockingRelayInterface::class, $relay);
    }

    public function testTcpAddressGivesALazyTcpSocketRelay(): void
    {
        $relay = Relay::create('tcp://LocalHost:6001');

        self::assertInstanceOf(SocketRelay::class, $relay);
        self::assertSame(SocketType::TCP, $relay->getType());
        self::assertSame('localhost', $relay->getAddress(), 'the host is lower-cased');
        self::assertSame(6001, $relay->getPort());
        self::assertFalse($relay->isConnected(), 'nothing is connected before first use');
        self::assertSame('tcp://localhost:6001', (string) $relay);
    }

    public function testTheProtocolIsCaseInsensitive(): void
    {
        $relay = Relay::create('TCP://127.0.0.1:7000');

        self::assertInstanceOf(SocketRelay::class, $relay);
        self::assertSame('tcp://127.0.0.1:7000', (string) $relay);
    }

    public function testUnixAddressGivesAUnixSocketRelayWithTheAbsolutePath(): void
    {
        $relay = Relay::create('unix:///tmp/rr.sock');

        self::assertInstanceOf(SocketRelay::class, $relay);
        self::assertSame(SocketType::UNIX, $relay->getType());
        self::assertSame('/tmp/rr.sock', $relay->getAddress());
        self::assertNull($relay->getPort());
        self::assertSame('unix:///tmp/rr.sock', (string) $relay);
    }

    public function testUnixPathsMayBeRelativeAndContainColons(): void
    {
        $relative = Relay::create('unix://rr.sock');
        $colon = Relay::create('unix:///run/rr:1.sock');

        self::assertInstanceOf(SocketRelay::class, $relative);
        self::assertSame('rr.sock', $relative->getAddress());
        self::assertInstanceOf(SocketRelay::class, $colon);
        self::assertSame('/run/rr:1.sock', $colon->getAddress());
    }

    public function testPipesWithStreamNamesOpensThoseStreams(): void
    {
        self::assertInstanceOf(StreamRelay::class, Relay::create('pipes://memory:memory'));
    }

    /**
     * @return iterable<string, array{string, string}>
     */
    public function invalidAddresses(): iterable
    {
        yield 'Go-style empty host' => ['tcp://:7000', 'Invalid TCP address'];
        yield 'tcp without port' => ['tcp://127.0.0.1', 'Invalid TCP address'];
        yield 'tcp with empty port' => ['tcp://127.0.0.1:', 'Invalid TCP address'];
        yield 'tcp port not a number' => ['tcp://127.0.0.1:http', 'Invalid TCP address'];
        yield 'tcp port out of range' => ['tcp://127.0.0.1:65536', 'Invalid TCP address'];
        yield 'unix without path' => ['unix://', 'Missing socket path'];
        yield 'unknown protocol' => ['udp://127.0.0.1:6001', "Unknown connection protocol 'udp'"];
        yield 'no scheme' => ['127.0.0.1:6001', 'Unsupported connection format'];
        yield 'empty' => ['', 'Unsupported connection format'];
        yield 'pipes spelled differently' => ['PIPES', 'Unsupported connection format'];
        yield 'pipes with one stream' => ['pipes://stdin', 'Invalid stream address'];
    }

    /**
     * @dataProvider invalidAddresses
     */
    public function testRejectsAnInvalidAddress(string $address, string $message): void
    {
        try {
            Relay::create($address);
            self::fail("expected '$address' to be rejected");
        } catch (RelayFactoryException $e) {
            self::assertInstanceOf(RelayException::class, $e);
            self::assertStringContainsString($message, $e->getMessage());
        }
    }

    public function testRejectsAStreamThatCannotBeOpened(): void
    {
        $this->expectException(RelayFactoryException::class);
        $this->expectExceptionMessage("Could not open php://nope for 'pipes://nope:stdout'");

        Relay::create('pipes://nope:stdout');
    }

    public function testSocketRelayValidatesItsArguments(): void
    {
        try {
            new SocketRelay('localhost');
            self::fail('a TCP relay needs a port');
        } catch (InvalidArgumentException $e) {
            self::assertStringContainsString("No port given for TCP socket on 'localhost'", $e->getMessage());
        }

        try {
            new SocketRelay('localhost', 70000);
            self::fail('the port must fit 16 bits');
        } catch (InvalidArgumentException $e) {
            self::assertStringContainsString('Invalid port', $e->getMessage());
        }

        try {
            new SocketRelay('localhost', 1, 7);
            self::fail('the type must be TCP or UNIX');
        } catch (InvalidArgumentException $e) {
            self::assertStringContainsString('Undefined connection type 7', $e->getMessage());
        }

        $legacy = new SocketRelay('/tmp/x.sock', 99, SocketRelay::SOCK_UNIX);
        self::assertSame(SocketType::UNIX, $legacy->getType());
        self::assertNull($legacy->getPort(), 'the port is ignored for Unix sockets');
    }
}
