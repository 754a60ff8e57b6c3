<?php

declare(strict_types=1);

namespace RR\Tests\Goridge;

use PHPUnit\Framework\TestCase;
use RR\Goridge\ConnectedRelayInterface;
use RR\Goridge\Exception\HeaderException;
use RR\Goridge\Exception\RelayException;
use RR\Goridge\Exception\TransportException;
use RR\Goridge\Frame;
use RR\Goridge\Relay;
use RR\Goridge\SocketRelay;
use RR\Tests\Support\Fork;
use RR\Tests\Support\Frames;
use RR\Tests\Support\Servers;
use RR\Tests\Support\Vectors;

final class SocketRelayTest extends TestCase
{
    private Servers $servers;

    protected function setUp(): void
    {
        $this->servers = new Servers();
    }

    protected function tearDown(): void
    {
        $this->servers->close();
    }

    /**
     * @return iterable<string, array{string}>
     */
    public function transports(): iterable
    {
        yield 'tcp' => ['tcp'];
        yield 'unix' => ['unix'];
    }

    /**
     * @dataProvider transports
     */
    public function testConnectsLazilyAndExchangesFrames(string $transport): void
    {
        [$server, $address] = $this->servers->{$transport}();
        $relay = Relay::create($address);
        self::assertInstanceOf(SocketRelay::class, $relay);
        self::assertFalse($relay->isConnected());

        $relay->send(Frame::parse(Vectors::bytes('rpc-request')));
        self::assertTrue($relay->isConnected(), 'the first send connects');

        $conn = Servers::accept($server);
        self::assertSame(\bin2hex(Vectors::bytes('rpc-request')), \bin2hex(Frames::readExactly($conn, 37)));

        \fwrite($conn, Vectors::bytes('rpc-response'));
        $reply = $relay->waitFrame();
        self::assertSame([1, 13], $reply->options);
        self::assertSame('informer.List["http"]', $reply->payload);
        self::assertSame($address, (string) $relay);

        $relay->close();
        self::assertFalse($relay->isConnected());
    }

    /**
     * @dataProvider transports
     */
    public function testAssemblesAFrameThatArrivesOneByteAtATime(string $transport): void
    {
        [$server, $address] = $this->servers->{$transport}();
        $bytes = Vectors::bytes('request-raw') . Vectors::bytes('stream-stop');

        $pid = Fork::run(static function () use ($server, $bytes): void {
            $conn = Servers::accept($server);
            foreach (\str_split($bytes) as $byte) {
                \fwrite($conn, $byte);
                \usleep(500);
            }
            Frames::readExactly($conn, 1); // keep the connection open until the reader is done
        });

        $relay = Relay::create($address);
        try {
            $request = $relay->waitFrame();
            $stop = $relay->waitFrame();
            $relay->send(new Frame('.'));
        } finally {
            Fork::reap($pid);
        }

        self::assertSame([7], $request->options);
        self::assertSame('{"a":1}hello', $request->payload);
        self::assertSame(Frame::BYTE10_STOP, $stop->byte10);
    }

    public function testAPeerThatClosesMidFrameIsATransportError(): void
    {
        [$server, $address] = $this->servers->tcp();
        $relay = Relay::create($address);
        self::assertInstanceOf(ConnectedRelayInterface::class, $relay);
        $relay->connect();

        $conn = Servers::accept($server);
        \fwrite($conn, \substr(Vectors::bytes('pid-request'), 0, 15));
        \fclose($conn);

        $this->expectException(TransportException::class);
        $this->expectExceptionMessage('Unable to read frame body: ' . $address . ' was closed by the peer after 3 of 13 bytes [7b 22 70]');

        $relay->waitFrame();
    }

    public function testAHeaderWithABadCrcFailsWithTheBytes(): void
    {
        [$server, $address] = $this->servers->unix();
        $relay = Relay::create($address);
        $relay->send(new Frame(''));

        \fwrite(Servers::accept($server), "PHP Warning:  oops\n");

        $this->expectException(HeaderException::class);
        $this->expectExceptionMessage('"PHP Warning:"');

        $relay->waitFrame();
    }

    public function testHasFrameDoesNotBlock(): void
    {
        [$server, $address] = $this->servers->tcp();
        $relay = Relay::create($address);

        self::assertFalse($relay->hasFrame(), 'connects and finds nothing');
        $conn = Servers::accept($server);
        \fwrite($conn, Vectors::bytes('pong'));
        \usleep(10000);

        self::assertTrue($relay->hasFrame());
        self::assertSame(Frame::BYTE10_PONG, $relay->waitFrame()->byte10);
        self::assertFalse($relay->hasFrame());
    }

    public function testGivesUpConnectingAfterTheRetries(): void
    {
        $relay = new SocketRelay($this->servers->unusedUnixPath(), null, SocketRelay::SOCK_UNIX);

        $started = \microtime(true);
        try {
            $relay->connect(3, 1000);
            self::fail('expected the connection to fail');
        } catch (RelayException $e) {
            self::assertStringContainsString('Unable to establish connection unix://', $e->getMessage());
            self::assertStringContainsString('No such file or directory', $e->getMessage());
        }

        self::assertGreaterThanOrEqual(0.003, \microtime(true) - $started, 'three pauses between four attempts');
        self::assertFalse($relay->isConnected());
    }

    public function testConnectsToAServerThatStartsListeningDuringTheRetries(): void
    {
        $path = $this->servers->unusedUnixPath();

        $pid = Fork::run(static function () use ($path): void {
            \usleep(20000);
            $server = \stream_socket_server('unix://' . $path);
            if ($server !== false) {
                $conn = Servers::accept($server);
                \fwrite($conn, Vectors::bytes('pong'));
                Frames::readExactly($conn, 1);
            }
        });

        $relay = new SocketRelay($path, null, SocketRelay::SOCK_UNIX);
        try {
            self::assertTrue($relay->connect(1000, 1000));
            self::assertSame(Frame::BYTE10_PONG, $relay->waitFrame()->byte10);
            $relay->send(new Frame('.'));
        } finally {
            Fork::reap($pid);
        }
    }

    public function testClosingTwiceFails(): void
    {
        [, $address] = $this->servers->tcp();
        $relay = Relay::create($address);
        self::assertInstanceOf(SocketRelay::class, $relay);
        $relay->connect();
        $relay->close();

        $this->expectException(RelayException::class);
        $this->expectExceptionMessage('socket already closed');
        $relay->close();
    }
}
