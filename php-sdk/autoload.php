<?php

/**
 * PSR-4 autoloader for using the SDK without Composer:
 *
 *     require 'path/to/php-sdk/autoload.php';
 *
 * Maps `RR\` to src/ (the same mapping as composer.json's "autoload") and `RR\Tests\` to tests/
 * (composer.json's "autoload-dev", only used by the test suite). Safe to include more than once.
 *
 * RR\KeyValue needs the PSR-16 interfaces (psr/simple-cache 1, 2 or 3): when no other autoloader
 * provides them, Debian's php-psr-simple-cache (/usr/share/php/Psr/SimpleCache) is loaded.
 */

declare(strict_types=1);

if (!defined('RR_SDK_AUTOLOAD')) {
    define('RR_SDK_AUTOLOAD', __DIR__);
    if (!defined('RR_SDK_PSR16_AUTOLOAD')) {
        // Define it before including this file to load the PSR-16 interfaces from elsewhere.
        define('RR_SDK_PSR16_AUTOLOAD', '/usr/share/php/Psr/SimpleCache/autoload.php');
    }

    spl_autoload_register(static function (string $class): void {
        // Longest prefix first, as PSR-4 requires.
        static $prefixes = [
            'RR\\Tests\\' => __DIR__ . '/tests/',
            'RR\\' => __DIR__ . '/src/',
        ];

        foreach ($prefixes as $prefix => $dir) {
            if (strncmp($class, $prefix, strlen($prefix)) !== 0) {
                continue;
            }

            // RR\KeyValue implements PSR-16. With Composer, psr/simple-cache comes from vendor/;
            // without it, Debian's php-psr-simple-cache is the fallback. Checked when the first
            // RR\KeyValue class loads, so an autoloader registered after this one (Composer's)
            // still gets to provide the interfaces first.
            if (strncmp($class, 'RR\\KeyValue\\', 12) === 0
                && !interface_exists('Psr\\SimpleCache\\CacheInterface')
                && is_file(RR_SDK_PSR16_AUTOLOAD)
            ) {
                require_once RR_SDK_PSR16_AUTOLOAD;
            }

            $file = $dir . str_replace('\\', '/', substr($class, strlen($prefix))) . '.php';
            if (is_file($file)) {
                require $file;
            }

            return;
        }
    });
}
