<?php

declare(strict_types=1);

namespace RR\Tests\Support;

use Nyholm\Psr7\Factory\Psr17Factory;

/**
 * Nyholm's PSR-7/PSR-17 implementation from Debian's php-nyholm-psr7 (which also loads the PSR
 * interfaces from php-psr-http-message and php-psr-http-factory). Tests only: src/ depends on the
 * PSR interfaces alone.
 */
final class Psr7
{
    public const AUTOLOAD = '/usr/share/php/Nyholm/Psr7/autoload.php';

    public static function factory(): Psr17Factory
    {
        if (!\class_exists(Psr17Factory::class)) {
            if (!\is_file(self::AUTOLOAD)) {
                throw new \RuntimeException('The PSR-7 tests need Nyholm PSR-7: apt-get install php-nyholm-psr7');
            }
            require_once self::AUTOLOAD;
        }

        return new Psr17Factory();
    }
}
