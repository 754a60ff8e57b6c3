<?php

declare(strict_types=1);

namespace RR\Goridge\Internal;

/**
 * Walks the fields of a protobuf message, following protobuf's parsing rules so that decoders built
 * on it behave like generated code: fields come in any order (decoders let the last occurrence of a
 * scalar win), unknown fields of every wire type are yielded for the caller to ignore, groups are
 * skipped whole. Truncated or malformed bytes throw {@see ProtobufException}, which each client turns
 * into its own exception type.
 *
 * @internal
 */
final class ProtobufReader
{
    public const VARINT = 0;
    public const I64 = 1;
    public const LEN = 2;
    public const START_GROUP = 3;
    public const END_GROUP = 4;
    public const I32 = 5;

    /**
     * @param string $type the message's name, for error texts
     *
     * @return \Generator<int, array{int, int, int|string|null}> field number, wire type, value: an int
     *         for varints, the raw bytes for LEN/I32/I64, null for a skipped group
     *
     * @throws ProtobufException
     */
    public static function fields(string $bytes, string $type): \Generator
    {
        $pos = 0;
        $length = \strlen($bytes);
        while ($pos < $length) {
            [$field, $wire] = self::tag($bytes, $pos, $type);
            if ($wire === self::END_GROUP) {
                throw new ProtobufException($type, \sprintf('unexpected end-group tag of field %d', $field));
            }

            yield [$field, $wire, self::value($bytes, $pos, $field, $wire, $type)];
        }
    }

    /**
     * A varint's 64 bits as a PHP int: int64 values come back with their sign, uint64 values above
     * PHP_INT_MAX wrap to negative.
     */
    public static function readVarint(string $bytes, int &$pos, string $type): int
    {
        $result = 0;
        for ($shift = 0; $shift < 64; $shift += 7) {
            if (!isset($bytes[$pos])) {
                throw new ProtobufException($type, 'truncated varint');
            }
            $byte = \ord($bytes[$pos++]);
            $result |= ($byte & 0x7F) << $shift;
            if ($byte < 0x80) {
                return $result;
            }
        }

        throw new ProtobufException($type, 'varint longer than 10 bytes');
    }

    /**
     * @return array{int, int} field number and wire type
     */
    private static function tag(string $bytes, int &$pos, string $type): array
    {
        $at = $pos;
        $tag = self::readVarint($bytes, $pos, $type);
        $field = $tag >> 3;
        if ($tag < 0 || $field === 0 || $field > 0x1FFFFFFF) {
            throw new ProtobufException($type, \sprintf('invalid field number in the tag at byte %d', $at));
        }

        return [$field, $tag & 0x07];
    }

    private static function value(string $bytes, int &$pos, int $field, int $wire, string $type): int|string|null
    {
        switch ($wire) {
            case self::VARINT:
                return self::readVarint($bytes, $pos, $type);
            case self::I64:
                return self::take($bytes, $pos, 8, $type);
            case self::I32:
                return self::take($bytes, $pos, 4, $type);
            case self::LEN:
                $size = self::readVarint($bytes, $pos, $type);
                if ($size < 0) {
                    throw new ProtobufException($type, \sprintf('field %d announces a negative length', $field));
                }

                return self::take($bytes, $pos, $size, $type);
            case self::START_GROUP:
                while (true) {
                    [$inner, $innerWire] = self::tag($bytes, $pos, $type);
                    if ($innerWire === self::END_GROUP) {
                        if ($inner !== $field) {
                            throw new ProtobufException($type, \sprintf('group of field %d closed by field %d', $field, $inner));
                        }

                        return null;
                    }
                    self::value($bytes, $pos, $inner, $innerWire, $type);
                }
                // no break: the loop only ends by returning or throwing
            default:
                throw new ProtobufException($type, \sprintf('field %d has the invalid wire type %d', $field, $wire));
        }
    }

    private static function take(string $bytes, int &$pos, int $size, string $type): string
    {
        if ($size > \strlen($bytes) - $pos) {
            throw new ProtobufException($type, \sprintf('%d bytes needed at byte %d, %d left', $size, $pos, \strlen($bytes) - $pos));
        }
        $value = (string) \substr($bytes, $pos, $size);
        $pos += $size;

        return $value;
    }
}
