<?php

declare(strict_types=1);

namespace RR\Tests\Worker;

use PHPUnit\Framework\TestCase;
use RR\Worker\Internal\StdoutHandler;

final class StdoutHandlerTest extends TestCase
{
    public function testForwardsEchoAndPrintToTheTargetAsTheyHappen(): void
    {
        $target = \tempnam(\sys_get_temp_dir(), 'rr-stdout-');
        self::assertIsString($target);
        $level = \ob_get_level();
        $errorLog = \ini_get('error_log');

        try {
            StdoutHandler::register(1, $target);
            echo 'hello ';
            self::assertSame('hello ', \file_get_contents($target), 'chunk size 1 forwards immediately');
            print "world\n";
            \printf('%d', 42);
            self::assertSame("hello world\n42", \file_get_contents($target));
        } finally {
            while (\ob_get_level() > $level) {
                \ob_end_clean();
            }
            \ini_set('error_log', (string) $errorLog);
            \unlink($target);
        }
    }
}
