<?php

declare(strict_types=1);

namespace RR\KeyValue\Exception;

use Psr\SimpleCache\CacheException;

/**
 * Base of every kv error (Spiral\RoadRunner\KeyValue\Exception\KeyValueException). An error rr
 * answered with, that none of the subclasses covers, arrives as this class with the
 * {@see \RR\Goridge\Exception\ServiceException} as its previous exception.
 */
class KeyValueException extends \RuntimeException implements CacheException
{
}
