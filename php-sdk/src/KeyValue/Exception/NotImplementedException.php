<?php

declare(strict_types=1);

namespace RR\KeyValue\Exception;

/**
 * The storage's driver cannot do what was asked: rr's error text contains `_plugin_ttl` when a
 * driver (memcached) cannot report expiration times.
 */
class NotImplementedException extends KeyValueException
{
}
