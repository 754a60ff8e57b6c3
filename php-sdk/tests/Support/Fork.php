<?php

declare(strict_types=1);

namespace RR\Tests\Support;

/**
 * Runs a fake peer in a forked child process.
 *
 * The child never returns into PHPUnit: it ends with SIGKILL so no shutdown handler, destructor or
 * output buffer of the test runner runs twice. A watchdog alarm bounds its life.
 */
final class Fork
{
    /**
     * @param callable(): void $child
     */
    public static function run(callable $child, int $watchdogSeconds = 10): int
    {
        $pid = \pcntl_fork();
        if ($pid === -1) {
            throw new \RuntimeException('pcntl_fork failed');
        }

        if ($pid === 0) {
            \pcntl_alarm($watchdogSeconds);
            try {
                $child();
            } catch (\Throwable $e) {
                \fwrite(\STDERR, 'fake peer failed: ' . $e->getMessage() . "\n");
            }
            \posix_kill(\posix_getpid(), \SIGKILL);
            exit(1); // not reached
        }

        return $pid;
    }

    /** Waits for the child (killing it after $timeout seconds). */
    public static function reap(int $pid, float $timeout = 5.0): void
    {
        $deadline = \microtime(true) + $timeout;
        while (\pcntl_waitpid($pid, $status, \WNOHANG) === 0) {
            if (\microtime(true) > $deadline) {
                \posix_kill($pid, \SIGKILL);
                \pcntl_waitpid($pid, $status);

                return;
            }
            \usleep(1000);
        }
    }
}
