<?php

declare(strict_types=1);

namespace RR\KeyValue\Internal;

use RR\KeyValue\Exception\KeyValueException;

/**
 * The `kv.v1` protobuf messages (roadrunner-server/api `proto/kv/v1/kv.proto`), by hand so that
 * google/protobuf is not needed:
 *
 * ```proto
 * message Request  { string storage = 1; repeated Item items = 2; }
 * message Item     { string key = 1; bytes value = 2; string timeout = 3; }
 * message Response { repeated Item items = 1; }
 * ```
 *
 * Encoding writes what protoc-generated code writes: fields in number order, empty strings left
 * out (proto3 defaults), every item present even when all its fields are empty.
 *
 * Decoding follows protobuf's parsing rules: any field order, the last occurrence of a scalar wins,
 * unknown fields (groups included) and known fields with another wire type are skipped. Truncated
 * or malformed bytes throw KeyValueException.
 *
 * @internal
 */
final class Protocol
{
    private const VARINT = 0;
    private const I64 = 1;
    private const LEN = 2;
    private const START_GROUP = 3;
    private const END_GROUP = 4;
    private const I32 = 5;

    /**
     * @param list<Item> $items
     */
    public static function encodeRequest(string $storage, array $items): string
    {
        $out = self::string(1, $storage);
        foreach ($items as $item) {
            $out .= self::len(2, self::string(1, $item->key) . self::string(2, $item->value) . self::string(3, $item->timeout));
        }

        return $out;
    }

    /**
     * @return list<Item>
     *
     * @throws KeyValueException
     */
    public static function decodeResponse(string $bytes): array
    {
        $items = [];
        foreach (self::fields($bytes, 'kv.v1.Response') as [$field, $wire, $value]) {
            if ($field === 1 && $wire === self::LEN) {
                $items[] = self::decodeItem((string) $value);
            }
        }

        return $items;
    }

    /**
     * @throws KeyValueException
     */
    private static function decodeItem(string $bytes): Item
    {
        $fields = [1 => '', 2 => '', 3 => ''];
        foreach (self::fields($bytes, 'kv.v1.Item') as [$field, $wire, $value]) {
            if (isset($fields[$field]) && $wire === self::LEN) {
                $fields[$field] = (string) $value;
            }
        }

        return new Item($fields[1], $fields[2], $fields[3]);
    }

    private static function string(int $field, string $value): string
    {
        return $value === '' ? '' : self::len($field, $value);
    }

    private static function len(int $field, string $bytes): string
    {
        return self::varint($field << 3 | self::LEN) . self::varint(\strlen($bytes)) . $bytes;
    }

    private static function varint(int $value): string
    {
        $out = '';
        while ($value > 0x7F) {
            $out .= \chr(($value & 0x7F) | 0x80);
            $value >>= 7;
        }

        return $out . \chr($value);
    }

    /**
     * @return \Generator<int, array{int, int, int|string|null}> field number, wire type, value
     *
     * @throws KeyValueException
     */
    private static function fields(string $bytes, string $message): \Generator
    {
        $pos = 0;
        $length = \strlen($bytes);
        while ($pos < $length) {
            [$field, $wire] = self::tag($bytes, $pos, $message);
            if ($wire === self::END_GROUP) {
                throw self::malformed($message, \sprintf('unexpected end-group tag of field %d', $field));
            }

            yield [$field, $wire, self::value($bytes, $pos, $field, $wire, $message)];
        }
    }

    /**
     * @return array{int, int}
     */
    private static function tag(string $bytes, int &$pos, string $message): array
    {
        $at = $pos;
        $tag = self::readVarint($bytes, $pos, $message);
        $field = $tag >> 3;
        if ($tag < 0 || $field === 0 || $field > 0x1FFFFFFF) {
            throw self::malformed($message, \sprintf('invalid field number in the tag at byte %d', $at));
        }

        return [$field, $tag & 0x07];
    }

    private static function value(string $bytes, int &$pos, int $field, int $wire, string $message): int|string|null
    {
        switch ($wire) {
            case self::VARINT:
                return self::readVarint($bytes, $pos, $message);
            case self::I64:
                return self::take($bytes, $pos, 8, $message);
            case self::I32:
                return self::take($bytes, $pos, 4, $message);
            case self::LEN:
                $size = self::readVarint($bytes, $pos, $message);
                if ($size < 0) {
                    throw self::malformed($message, \sprintf('field %d announces a negative length', $field));
                }

                return self::take($bytes, $pos, $size, $message);
            case self::START_GROUP:
                while (true) {
                    [$inner, $innerWire] = self::tag($bytes, $pos, $message);
                    if ($innerWire === self::END_GROUP) {
                        if ($inner !== $field) {
                            throw self::malformed($message, \sprintf('group of field %d closed by field %d', $field, $inner));
                        }

                        return null;
                    }
                    self::value($bytes, $pos, $inner, $innerWire, $message);
                }
                // no break: the loop only ends by returning or throwing
            default:
                throw self::malformed($message, \sprintf('field %d has the invalid wire type %d', $field, $wire));
        }
    }

    private static function readVarint(string $bytes, int &$pos, string $message): int
    {
        $result = 0;
        for ($shift = 0; $shift < 64; $shift += 7) {
            if (!isset($bytes[$pos])) {
                throw self::malformed($message, 'truncated varint');
            }
            $byte = \ord($bytes[$pos++]);
            $result |= ($byte & 0x7F) << $shift;
            if ($byte < 0x80) {
                return $result;
            }
        }

        throw self::malformed($message, 'varint longer than 10 bytes');
    }

    private static function take(string $bytes, int &$pos, int $size, string $message): string
    {
        if ($size > \strlen($bytes) - $pos) {
            throw self::malformed($message, \sprintf('%d bytes needed at byte %d, %d left', $size, $pos, \strlen($bytes) - $pos));
        }
        $value = (string) \substr($bytes, $pos, $size);
        $pos += $size;

        return $value;
    }

    private static function malformed(string $message, string $detail): KeyValueException
    {
        return new KeyValueException(\sprintf('Invalid protobuf %s received from rr: %s', $message, $detail));
    }
}
