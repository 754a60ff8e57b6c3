<?php

declare(strict_types=1);

namespace RR\Goridge\Internal;

/**
 * Protobuf wire-format building blocks for the hand-written RPC messages (kv.v1, jobs.v1), so
 * google/protobuf is not needed.
 *
 * The helpers named after proto3 scalar types leave default values out (empty string, 0, false),
 * as protoc-generated code does; {@see lengthDelimited()} always writes, which is what embedded
 * messages, repeated elements and map entries need. Callers write fields in number order.
 *
 * @internal
 */
final class ProtobufWriter
{
    public const VARINT = 0;
    public const LEN = 2;

    /** A `string` or `bytes` field; empty means unset. */
    public static function string(int $field, string $value): string
    {
        return $value === '' ? '' : self::lengthDelimited($field, $value);
    }

    /** An `int32`, `int64` or `uint64` field; zero means unset, negatives take ten bytes. */
    public static function int(int $field, int $value): string
    {
        return $value === 0 ? '' : self::tag($field, self::VARINT) . self::varint($value);
    }

    /** A `bool` field; false means unset. */
    public static function bool(int $field, bool $value): string
    {
        return $value ? self::tag($field, self::VARINT) . "\x01" : '';
    }

    /**
     * A length-delimited field written even when empty: an embedded message (present once set),
     * one element of a repeated string/message field, a map entry.
     */
    public static function lengthDelimited(int $field, string $bytes): string
    {
        return self::tag($field, self::LEN) . self::varint(\strlen($bytes)) . $bytes;
    }

    /**
     * A `map<string, string>` or `map<string, Message>` field: one entry `{1: key, 2: value}` per
     * pair, in array order. Both parts of an entry are always written, as Go and PHP protobuf do.
     *
     * @param array<array-key, string> $entries key => the value's bytes (a string, or an encoded message)
     */
    public static function map(int $field, array $entries): string
    {
        $out = '';
        foreach ($entries as $key => $value) {
            $out .= self::lengthDelimited($field, self::lengthDelimited(1, (string) $key) . self::lengthDelimited(2, $value));
        }

        return $out;
    }

    public static function tag(int $field, int $wire): string
    {
        return self::varint($field << 3 | $wire);
    }

    /**
     * An unsigned varint; a negative number as its 64-bit two's complement (ten bytes), which is how
     * protobuf writes negative int32/int64 values.
     */
    public static function varint(int $value): string
    {
        $out = '';
        while ($value < 0 || $value > 0x7F) {
            $out .= \chr(($value & 0x7F) | 0x80);
            // A logical shift: an arithmetic one would keep bringing in the sign bit.
            $value = ($value >> 7) & 0x01FFFFFFFFFFFFFF;
        }

        return $out . \chr($value);
    }
}
