<?php

declare(strict_types=1);

namespace RR\KeyValue\Exception;

use Psr\SimpleCache\InvalidArgumentException as PsrInvalidArgumentException;

/**
 * A key, a list of keys, the values or a ttl the client refuses before anything is sent, as PSR-16
 * asks of invalid arguments.
 */
class InvalidArgumentException extends KeyValueException implements PsrInvalidArgumentException
{
}
