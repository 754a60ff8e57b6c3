<?php

declare(strict_types=1);

namespace RR\Worker\Internal;

/**
 * Keeps stdout clean for frames when the worker talks over pipes.
 *
 * - an output buffer with chunk size 1 forwards every echo/print to php://stderr at once;
 * - a header callback complains on stderr when header() was used;
 * - error_log goes to stderr, and display_errors, when on, is pointed at stderr.
 *
 * @internal
 */
final class StdoutHandler
{
    public const PIPE_OUT = 'php://stderr';

    private const ERROR_WRITING_HEADER =
        'Could not explicitly send headers "%s" using the PHP header() function. Use the RoadRunner response object instead';

    /**
     * @param int    $chunkSize output buffer chunk size; 1 flushes on every write
     * @param string $target    where intercepted output goes
     */
    public static function register(int $chunkSize = 1, string $target = self::PIPE_OUT): void
    {
        \ob_start(static function (string $chunk) use ($target): string {
            if ($chunk !== '') {
                \file_put_contents($target, $chunk, \FILE_APPEND);
            }

            return '';
        }, \max(0, $chunkSize));

        \header_register_callback(static function () use ($target): void {
            $headers = \headers_list();
            if ($headers !== []) {
                \file_put_contents($target, \sprintf(self::ERROR_WRITING_HEADER, \implode('", "', $headers)) . \PHP_EOL, \FILE_APPEND);
            }
        });

        \ini_set('error_log', \is_writable('/dev/stderr') ? '/dev/stderr' : '');

        $display = \strtolower((string) \ini_get('display_errors'));
        if (!\in_array($display, ['', '0', 'off', 'false', 'no', 'stderr'], true)) {
            \ini_set('display_errors', 'stderr');
        }
    }
}
