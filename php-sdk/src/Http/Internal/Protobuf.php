<?php

declare(strict_types=1);

namespace RR\Http\Internal;

use RR\Http\Exception\RequestContextException;

/**
 * Hand-rolled protobuf wire format for exactly the `http.v1` messages the HTTP worker needs
 * (roadrunner-server/api `proto/http/v1/http.proto`), so google/protobuf is not required:
 *
 * ```proto
 * message Request {
 *   string remote_addr = 1; string protocol = 2; string method = 3; string uri = 4;
 *   map<string, HeaderValue> header = 5; map<string, HeaderValue> cookies = 6;
 *   string raw_query = 7; bool parsed = 8; bytes uploads = 9;
 *   map<string, HeaderValue> attributes = 10;
 * }
 * message Response { int64 status = 1; map<string, HeaderValue> headers = 2; }
 * message HeaderValue { repeated bytes value = 1; }
 * ```
 *
 * Decoding follows the protobuf rules a generated parser applies: fields in any order, the last
 * occurrence of a scalar wins, a message field given twice is merged (so the values of a
 * HeaderValue repeated in one map entry add up), a later map entry replaces an earlier one with the
 * same key, a field whose wire type does not match its declaration and unknown fields (any wire
 * type, groups included) are skipped. Truncated or malformed input throws.
 *
 * Encoding writes fields in number order, omits a zero status (proto3 default), writes map entries
 * in array order and always writes both key and value of an entry, as Go and PHP protobuf do.
 *
 * @internal
 */
final class Protobuf
{
    private const WIRE_VARINT = 0;
    private const WIRE_I64 = 1;
    private const WIRE_LEN = 2;
    private const WIRE_START_GROUP = 3;
    private const WIRE_END_GROUP = 4;
    private const WIRE_I32 = 5;

    private const REQUEST_STRINGS = [1 => 'remoteAddr', 2 => 'protocol', 3 => 'method', 4 => 'uri', 7 => 'rawQuery', 9 => 'uploads'];
    private const REQUEST_MAPS = [5 => 'headers', 6 => 'cookies', 10 => 'attributes'];

    /**
     * Decodes `http.v1.Request`.
     *
     * @return array{remoteAddr: string, protocol: string, method: string, uri: string, headers: array<array-key, list<string>>, cookies: array<array-key, list<string>>, rawQuery: string, parsed: bool, uploads: string, attributes: array<array-key, list<string>>}
     *
     * @throws RequestContextException on malformed input
     */
    public static function decodeRequest(string $bytes): array
    {
        $request = [
            'remoteAddr' => '',
            'protocol' => '',
            'method' => '',
            'uri' => '',
            'headers' => [],
            'cookies' => [],
            'rawQuery' => '',
            'parsed' => false,
            'uploads' => '',
            'attributes' => [],
        ];

        foreach (self::fields($bytes, 'http.v1.Request') as [$field, $wire, $value]) {
            if (isset(self::REQUEST_STRINGS[$field]) && $wire === self::WIRE_LEN) {
                $request[self::REQUEST_STRINGS[$field]] = (string) $value;
            } elseif (isset(self::REQUEST_MAPS[$field]) && $wire === self::WIRE_LEN) {
                [$key, $values] = self::decodeMapEntry((string) $value);
                $request[self::REQUEST_MAPS[$field]][$key] = $values;
            } elseif ($field === 8 && $wire === self::WIRE_VARINT) {
                $request['parsed'] = $value !== 0;
            }
        }

        /** @var array{remoteAddr: string, protocol: string, method: string, uri: string, headers: array<array-key, list<string>>, cookies: array<array-key, list<string>>, rawQuery: string, parsed: bool, uploads: string, attributes: array<array-key, list<string>>} $request */
        return $request;
    }

    /**
     * Encodes `http.v1.Response`.
     *
     * @param array<array-key, list<string>> $headers
     */
    public static function encodeResponse(int $status, array $headers): string
    {
        $out = $status !== 0 ? "\x08" . self::varint($status) : '';

        foreach ($headers as $name => $values) {
            $headerValue = '';
            foreach ($values as $value) {
                $headerValue .= self::lengthDelimited(1, $value);
            }
            $out .= self::lengthDelimited(2, self::lengthDelimited(1, (string) $name) . self::lengthDelimited(2, $headerValue));
        }

        return $out;
    }

    /**
     * Encodes an unsigned varint; negative numbers as their 64-bit two's complement (10 bytes),
     * as protobuf does for int64.
     */
    public static function varint(int $value): string
    {
        $out = '';
        while ($value < 0 || $value > 0x7F) {
            $out .= \chr(($value & 0x7F) | 0x80);
            // Logical shift: drop the sign bits an arithmetic shift of a negative number brings in.
            $value = ($value >> 7) & 0x01FFFFFFFFFFFFFF;
        }

        return $out . \chr($value);
    }

    private static function lengthDelimited(int $field, string $bytes): string
    {
        return self::varint($field << 3 | self::WIRE_LEN) . self::varint(\strlen($bytes)) . $bytes;
    }

    /**
     * A `map<string, HeaderValue>` entry: `{string key = 1; HeaderValue value = 2;}`.
     *
     * @return array{string, list<string>}
     */
    private static function decodeMapEntry(string $bytes): array
    {
        $key = '';
        $values = [];

        foreach (self::fields($bytes, 'map entry') as [$field, $wire, $value]) {
            if ($field === 1 && $wire === self::WIRE_LEN) {
                $key = (string) $value;
            } elseif ($field === 2 && $wire === self::WIRE_LEN) {
                // A message field seen twice is merged: repeated values accumulate.
                foreach (self::fields((string) $value, 'http.v1.HeaderValue') as [$f, $w, $v]) {
                    if ($f === 1 && $w === self::WIRE_LEN) {
                        $values[] = (string) $v;
                    }
                }
            }
        }

        return [$key, $values];
    }

    /**
     * Walks the fields of one message.
     *
     * @return \Generator<int, array{int, int, int|string|null}> field number, wire type, value
     *         (int for varints, the raw bytes for LEN/I32/I64, null for a skipped group)
     *
     * @throws RequestContextException
     */
    private static function fields(string $bytes, string $message): \Generator
    {
        $pos = 0;
        $length = \strlen($bytes);

        while ($pos < $length) {
            [$field, $wire] = self::tag($bytes, $pos, $length, $message);
            if ($wire === self::WIRE_END_GROUP) {
                throw self::malformed($message, \sprintf('unexpected end-group tag of field %d at byte %d', $field, $pos));
            }

            yield [$field, $wire, self::value($bytes, $pos, $length, $field, $wire, $message)];
        }
    }

    /**
     * @return array{int, int}
     */
    private static function tag(string $bytes, int &$pos, int $length, string $message): array
    {
        $at = $pos;
        $tag = self::readVarint($bytes, $pos, $length, $message);
        $field = $tag >> 3;
        if ($tag < 0 || $field === 0 || $field > 0x1FFFFFFF) {
            throw self::malformed($message, \sprintf('invalid field number in tag at byte %d', $at));
        }

        return [$field, $tag & 0x07];
    }

    private static function value(string $bytes, int &$pos, int $length, int $field, int $wire, string $message): int|string|null
    {
        switch ($wire) {
            case self::WIRE_VARINT:
                return self::readVarint($bytes, $pos, $length, $message);
            case self::WIRE_I64:
                return self::take($bytes, $pos, $length, 8, $message);
            case self::WIRE_I32:
                return self::take($bytes, $pos, $length, 4, $message);
            case self::WIRE_LEN:
                $at = $pos;
                $size = self::readVarint($bytes, $pos, $length, $message);
                if ($size < 0 || $size > $length - $pos) {
                    throw self::malformed($message, \sprintf('field %d at byte %d announces %d bytes, %d left', $field, $at, $size, $length - $pos));
                }

                return self::take($bytes, $pos, $length, $size, $message);
            case self::WIRE_START_GROUP:
                self::skipGroup($bytes, $pos, $length, $field, $message);

                return null;
            default:
                throw self::malformed($message, \sprintf('field %d has the invalid wire type %d', $field, $wire));
        }
    }

    /**
     * Skips the fields of a (deprecated proto2) group up to and including its end-group tag.
     */
    private static function skipGroup(string $bytes, int &$pos, int $length, int $field, string $message): void
    {
        while ($pos < $length) {
            [$inner, $wire] = self::tag($bytes, $pos, $length, $message);
            if ($wire === self::WIRE_END_GROUP) {
                if ($inner !== $field) {
                    throw self::malformed($message, \sprintf('group of field %d closed by field %d', $field, $inner));
                }

                return;
            }
            self::value($bytes, $pos, $length, $inner, $wire, $message);
        }

        throw self::malformed($message, \sprintf('group of field %d is not closed', $field));
    }

    private static function readVarint(string $bytes, int &$pos, int $length, string $message): int
    {
        $result = 0;
        for ($shift = 0; $shift < 64; $shift += 7) {
            if ($pos >= $length) {
                throw self::malformed($message, 'truncated varint');
            }
            $byte = \ord($bytes[$pos++]);
            $result |= ($byte & 0x7F) << $shift;
            if ($byte < 0x80) {
                return $result;
            }
        }

        throw self::malformed($message, \sprintf('varint longer than 10 bytes ending at byte %d', $pos));
    }

    private static function take(string $bytes, int &$pos, int $length, int $size, string $message): string
    {
        if ($size > $length - $pos) {
            throw self::malformed($message, \sprintf('%d bytes needed at byte %d, %d left', $size, $pos, $length - $pos));
        }
        $value = (string) \substr($bytes, $pos, $size);
        $pos += $size;

        return $value;
    }

    private static function malformed(string $message, string $detail): RequestContextException
    {
        return new RequestContextException(\sprintf('Invalid protobuf %s: %s', $message, $detail));
    }
}
