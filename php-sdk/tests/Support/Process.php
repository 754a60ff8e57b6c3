<?php

declare(strict_types=1);

namespace RR\Tests\Support;

/**
 * A PHP script run as a child process with piped stdin/stdout/stderr.
 */
final class Process
{
    /** @var resource */
    private $process;

    /** @var array<int, resource> */
    private array $pipes;

    /**
     * @param list<string>          $args
     * @param array<string, string> $env  added to the current environment
     */
    public function __construct(string $script, array $args = [], array $env = [])
    {
        $base = \getenv();
        unset($base['RR_RELAY'], $base['RR_RPC'], $base['RR_MODE']);

        $process = \proc_open(
            [\PHP_BINARY, $script, ...$args],
            [0 => ['pipe', 'r'], 1 => ['pipe', 'w'], 2 => ['pipe', 'w']],
            $pipes,
            null,
            \array_merge($base, $env),
        );
        if ($process === false) {
            throw new \RuntimeException("cannot start $script");
        }

        $this->process = $process;
        $this->pipes = $pipes;
    }

    public function pid(): int
    {
        return \proc_get_status($this->process)['pid'];
    }

    /** @return resource */
    public function stdin()
    {
        return $this->pipes[0];
    }

    /** @return resource */
    public function stdout()
    {
        return $this->pipes[1];
    }

    /**
     * Waits for the exit (killing the child after $timeout seconds) and collects the rest of its output.
     *
     * @return array{int, string, string} exit code, stdout, stderr
     */
    public function wait(float $timeout = 10.0): array
    {
        if (\is_resource($this->pipes[0])) {
            \fclose($this->pipes[0]);
        }

        $out = $err = '';
        $deadline = \microtime(true) + $timeout;
        \stream_set_blocking($this->pipes[1], false);
        \stream_set_blocking($this->pipes[2], false);

        while (true) {
            $out .= (string) \stream_get_contents($this->pipes[1]);
            $err .= (string) \stream_get_contents($this->pipes[2]);
            $status = \proc_get_status($this->process);
            if (!$status['running']) {
                $out .= (string) \stream_get_contents($this->pipes[1]);
                $err .= (string) \stream_get_contents($this->pipes[2]);
                \fclose($this->pipes[1]);
                \fclose($this->pipes[2]);
                \proc_close($this->process);

                return [$status['exitcode'], $out, $err];
            }
            if (\microtime(true) > $deadline) {
                \proc_terminate($this->process, 9);
            }
            \usleep(2000);
        }
    }
}
