<?php

declare(strict_types=1);

namespace RR\Tests\KeyValue;

use PHPUnit\Framework\TestCase;
use RR\Tests\Support\Process;

/**
 * Cache implements psr/simple-cache 1 (Debian's, untyped), 2 (typed parameters) and 3 (typed
 * parameters and returns). Each version is loaded in its own PHP process, since an interface can
 * only be declared once per process.
 */
final class Psr16VersionsTest extends TestCase
{
    private const PROBE = __DIR__ . '/../Fixtures/psr16-probe.php';
    private const FIXTURES = __DIR__ . '/../Fixtures';

    /**
     * @return iterable<string, array{list<string>, string, string, string}>
     */
    public function versions(): iterable
    {
        yield 'v1 from Debian without Composer' => [['debian'], '/usr/share/php/Psr/SimpleCache/CacheInterface.php', '', ''];
        yield 'v2 from RR_SDK_PSR16_AUTOLOAD' => [['constant', self::FIXTURES . '/psr-simple-cache-v2'], 'psr-simple-cache-v2/CacheInterface.php', 'string', ''];
        yield 'v3 from RR_SDK_PSR16_AUTOLOAD' => [['constant', self::FIXTURES . '/psr-simple-cache-v3'], 'psr-simple-cache-v3/CacheInterface.php', 'string', 'bool'];
        // Composer's autoloader usually comes after ours: it still wins over Debian's copy.
        yield 'v3 from an autoloader registered later' => [['later', self::FIXTURES . '/psr-simple-cache-v3'], 'psr-simple-cache-v3/CacheInterface.php', 'string', 'bool'];
    }

    /**
     * @dataProvider versions
     *
     * @param list<string> $args
     */
    public function testCacheImplementsTheLoadedVersion(array $args, string $file, string $keyType, string $returnType): void
    {
        [$code, $out, $err] = (new Process(self::PROBE, $args))->wait();

        self::assertSame(0, $code, $err . $out);
        self::assertSame('', $err);
        $report = \json_decode($out, true);
        self::assertIsArray($report);
        self::assertStringEndsWith($file, $report['file']);
        self::assertTrue($report['psr16']);
        self::assertSame($keyType, $report['setKeyType']);
        self::assertSame($returnType, $report['setReturnType']);
        self::assertSame('Cache key must be a string, but int passed', $report['invalid']);
    }
}
