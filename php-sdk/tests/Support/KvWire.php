<?php

declare(strict_types=1);

namespace RR\Tests\Support;

/**
 * The kv.v1 messages written out field by field from PROTOCOL.md §5.6, independently of
 * RR\KeyValue\Internal\Protocol, for building replies and expected requests in tests:
 * Request{1 storage, 2 items}, Item{1 key, 2 value, 3 timeout}, Response{1 items}, proto3 (empty
 * strings are not written).
 */
final class KvWire
{
    public static function item(string $key, string $value = '', string $timeout = ''): string
    {
        return self::field(1, $key) . self::field(2, $value) . self::field(3, $timeout);
    }

    /**
     * @param list<string> $items encoded items
     */
    public static function request(string $storage, array $items = []): string
    {
        $out = self::field(1, $storage);
        foreach ($items as $item) {
            $out .= self::field(2, $item, true);
        }

        return $out;
    }

    /**
     * @param list<string> $items encoded items
     */
    public static function response(array $items = []): string
    {
        $out = '';
        foreach ($items as $item) {
            $out .= self::field(1, $item, true);
        }

        return $out;
    }

    /**
     * A request carrying only keys, as Has, MGet, TTL and Delete send them.
     */
    public static function keys(string $storage, string ...$keys): string
    {
        return self::request($storage, \array_map(static fn (string $key): string => self::item($key), $keys));
    }

    private static function field(int $number, string $bytes, bool $always = false): string
    {
        if ($bytes === '' && !$always) {
            return '';
        }

        $length = \strlen($bytes);
        $varint = '';
        while ($length >= 0x80) {
            $varint .= \chr(($length & 0x7F) | 0x80);
            $length >>= 7;
        }

        return \chr($number << 3 | 2) . $varint . \chr($length) . $bytes;
    }
}
