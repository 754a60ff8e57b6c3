<?php

declare(strict_types=1);

namespace RR\KeyValue\Exception;

/**
 * The storage is not declared under `kv:` in rr's configuration (rr's error text contains
 * `no such storage`).
 */
class StorageException extends KeyValueException
{
}
