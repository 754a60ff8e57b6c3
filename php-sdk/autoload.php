<?php

/**
 * PSR-4 autoloader for using the SDK without Composer:
 *
 *     require 'path/to/php-sdk/autoload.php';
 *
 * Maps `RR\` to src/ (the same mapping as composer.json's "autoload") and `RR\Tests\` to tests/
 * (composer.json's "autoload-dev", only used by the test suite). Safe to include more than once.
 */

declare(strict_types=1);

if (!defined('RR_SDK_AUTOLOAD')) {
    define('RR_SDK_AUTOLOAD', __DIR__);

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

            $file = $dir . str_replace('\\', '/', substr($class, strlen($prefix))) . '.php';
            if (is_file($file)) {
                require $file;
            }

            return;
        }
    });
}
