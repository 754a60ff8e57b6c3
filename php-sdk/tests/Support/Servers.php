<?php

declare(strict_types=1);

namespace RR\Tests\Support;

/**
 * Local listening sockets for tests: TCP on an ephemeral port (never a fixed one) or a Unix
 * socket in a private temporary directory.
 */
final class Servers
{
    /** @var list<resource> */
    private array $servers = [];

    /** @var list<string> */
    private array $dirs = [];

    /**
     * @return array{resource, string} the listening socket and its address in RR syntax
     */
    public function tcp(): array
    {
        $server = \stream_socket_server('tcp://127.0.0.1:0', $errno, $error);
        if ($server === false) {
            throw new \RuntimeException("cannot listen on tcp://127.0.0.1:0: $error");
        }
        $this->servers[] = $server;

        return [$server, 'tcp://' . \stream_socket_get_name($server, false)];
    }

    /**
     * @return array{resource, string} the listening socket and its address in RR syntax
     */
    public function unix(): array
    {
        $dir = \sys_get_temp_dir() . '/rr-php-sdk-' . \bin2hex(\random_bytes(6));
        \mkdir($dir, 0700);
        $this->dirs[] = $dir;
        $path = $dir . '/relay.sock';

        $server = \stream_socket_server('unix://' . $path, $errno, $error);
        if ($server === false) {
            throw new \RuntimeException("cannot listen on unix://$path: $error");
        }
        $this->servers[] = $server;

        return [$server, 'unix://' . $path];
    }

    /**
     * A path in a fresh temporary directory where nothing listens.
     */
    public function unusedUnixPath(): string
    {
        $dir = \sys_get_temp_dir() . '/rr-php-sdk-' . \bin2hex(\random_bytes(6));
        \mkdir($dir, 0700);
        $this->dirs[] = $dir;

        return $dir . '/nobody.sock';
    }

    /**
     * @param resource $server
     *
     * @return resource
     */
    public static function accept($server, float $timeout = 5.0)
    {
        $conn = \stream_socket_accept($server, $timeout);
        if ($conn === false) {
            throw new \RuntimeException('nobody connected');
        }

        return $conn;
    }

    public function close(): void
    {
        foreach ($this->servers as $server) {
            if (\is_resource($server)) {
                \fclose($server);
            }
        }
        foreach ($this->dirs as $dir) {
            foreach (\glob($dir . '/*') ?: [] as $file) {
                @\unlink($file);
            }
            @\rmdir($dir);
        }
        $this->servers = [];
        $this->dirs = [];
    }
}
