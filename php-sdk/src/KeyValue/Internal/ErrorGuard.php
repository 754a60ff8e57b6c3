<?php

declare(strict_types=1);

namespace RR\KeyValue\Internal;

use RR\KeyValue\Exception\SerializationException;

/**
 * Runs a PHP serialization function and turns what it reports as a notice or warning (that is how
 * unserialize() and igbinary announce bad input, next to a return value that can also be a
 * legitimate one) or throws into a SerializationException. Deprecations are left to the
 * application's handler: they do not mean the bytes are bad.
 *
 * @internal
 */
final class ErrorGuard
{
    /**
     * @template T
     *
     * @param callable(): T $operation
     *
     * @return T
     *
     * @throws SerializationException
     */
    public static function run(string $what, callable $operation): mixed
    {
        $error = null;
        \set_error_handler(static function (int $severity, string $message) use (&$error): bool {
            $error ??= $message;

            return true;
        }, \E_WARNING | \E_NOTICE);

        try {
            $result = $operation();
        } catch (SerializationException $e) {
            throw $e;
        } catch (\Throwable $e) {
            throw new SerializationException(\sprintf('%s: %s', $what, $e->getMessage()), 0, $e);
        } finally {
            \restore_error_handler();
        }

        if ($error !== null) {
            throw new SerializationException(\sprintf('%s: %s', $what, $error));
        }

        return $result;
    }
}
