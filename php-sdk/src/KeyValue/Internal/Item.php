<?php

declare(strict_types=1);

namespace RR\KeyValue\Internal;

/**
 * `kv.v1.Item { string key = 1; bytes value = 2; string timeout = 3; }`; `''` is proto3's "not set".
 *
 * @internal
 */
final class Item
{
    public function __construct(
        public readonly string $key,
        public readonly string $value = '',
        public readonly string $timeout = '',
    ) {
    }
}
