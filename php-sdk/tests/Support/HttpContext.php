<?php

declare(strict_types=1);

namespace RR\Tests\Support;

use RR\Goridge\Frame;

/**
 * The server's side of the HTTP payload, written independently of src/: request contexts in both
 * encodings (JSON as RoadRunner ≤ 2023.3 sends it, protobuf `http.v1.Request` as ≥ 2024.1 does)
 * and a reader for `http.v1.Response`.
 *
 * A context is given in the JSON shape: remoteAddr, protocol, method, uri, headers (name => list),
 * cookies (name => string, or list for several values in protobuf), rawQuery, parsed, uploads
 * (tree or null), attributes (name => string).
 */
final class HttpContext
{
    /**
     * @param array<string, mixed> $overrides
     *
     * @return array<string, mixed>
     */
    public static function minimal(array $overrides = []): array
    {
        return $overrides + [
            'remoteAddr' => '127.0.0.1',
            'protocol' => 'HTTP/1.1',
            'method' => 'GET',
            'uri' => 'http://localhost/',
            'headers' => [],
            'cookies' => [],
            'rawQuery' => '',
            'parsed' => false,
            'uploads' => null,
            'attributes' => [],
        ];
    }

    /**
     * @param array<string, mixed> $context
     */
    public static function json(array $context): string
    {
        foreach (['headers', 'cookies', 'attributes'] as $key) {
            if (\array_key_exists($key, $context) && $context[$key] === []) {
                $context[$key] = new \stdClass(); // Go marshals an empty map as {}
            }
        }

        return \json_encode($context, \JSON_THROW_ON_ERROR | \JSON_UNESCAPED_SLASHES);
    }

    /**
     * @param array<string, mixed> $context
     */
    public static function proto(array $context): string
    {
        $out = '';
        foreach ([1 => 'remoteAddr', 2 => 'protocol', 3 => 'method', 4 => 'uri'] as $field => $key) {
            $out .= self::stringField($field, (string) ($context[$key] ?? ''));
        }
        $out .= self::mapField(5, $context['headers'] ?? []);
        $out .= self::mapField(6, $context['cookies'] ?? []);
        $out .= self::stringField(7, (string) ($context['rawQuery'] ?? ''));
        if (!empty($context['parsed'])) {
            $out .= \chr(8 << 3) . "\x01";
        }
        if (!empty($context['uploads'])) {
            $out .= self::stringField(9, \json_encode($context['uploads'], \JSON_THROW_ON_ERROR | \JSON_UNESCAPED_SLASHES));
        }
        $out .= self::mapField(10, $context['attributes'] ?? []);

        return $out;
    }

    /**
     * A request frame as rr sends it: JSON context with CODEC_JSON or protobuf with CODEC_PROTO.
     *
     * @param array<string, mixed> $context
     */
    public static function frame(string $encoding, array $context, string $body = ''): string
    {
        return $encoding === 'json'
            ? Frames::request(self::json($context), $body, Frame::CODEC_JSON)
            : Frames::request(self::proto($context), $body, Frame::CODEC_PROTO);
    }

    /**
     * The expected bytes of `http.v1.Response`.
     *
     * @param array<string, list<string>> $headers
     */
    public static function protoResponse(int $status, array $headers = []): string
    {
        $out = $status === 0 ? '' : \chr(1 << 3) . self::varint($status);

        return $out . self::mapField(2, $headers);
    }

    /**
     * Reads `http.v1.Response`.
     *
     * @return array{status: int, headers: array<string, list<string>>}
     */
    public static function decodeResponse(string $bytes): array
    {
        $status = 0;
        $headers = [];
        foreach (self::readFields($bytes) as [$field, $value]) {
            if ($field === 1) {
                $status = $value;
            } elseif ($field === 2) {
                $name = '';
                $values = [];
                foreach (self::readFields((string) $value) as [$f, $v]) {
                    if ($f === 1) {
                        $name = (string) $v;
                    } elseif ($f === 2) {
                        foreach (self::readFields((string) $v) as [, $item]) {
                            $values[] = (string) $item;
                        }
                    }
                }
                $headers[$name] = $values;
            }
        }

        /** @var array{status: int, headers: array<string, list<string>>} */
        return ['status' => (int) $status, 'headers' => $headers];
    }

    /**
     * Reads the status and headers of a response frame in either encoding.
     *
     * @return array{status: int, headers: array<string, list<string>>}
     */
    public static function responseOf(Frame $frame): array
    {
        $context = \substr((string) $frame->payload, 0, $frame->options[0]);
        if ($frame->flags === Frame::CODEC_PROTO) {
            return self::decodeResponse($context);
        }

        /** @var array{status: int, headers: array<string, list<string>>} $json */
        $json = \json_decode($context, true, 512, \JSON_THROW_ON_ERROR);

        return $json;
    }

    /** The body part of a data frame. */
    public static function bodyOf(Frame $frame): string
    {
        return (string) \substr((string) $frame->payload, $frame->options[0]);
    }

    private static function stringField(int $field, string $value): string
    {
        return $value === '' ? '' : self::varint($field << 3 | 2) . self::varint(\strlen($value)) . $value;
    }

    /**
     * @param array<array-key, mixed> $map name => value or list of values
     */
    private static function mapField(int $field, array $map): string
    {
        $out = '';
        foreach ($map as $name => $values) {
            $headerValue = '';
            foreach ((array) $values as $value) {
                $headerValue .= "\x0a" . self::varint(\strlen((string) $value)) . $value;
            }
            $entry = "\x0a" . self::varint(\strlen((string) $name)) . $name
                . "\x12" . self::varint(\strlen($headerValue)) . $headerValue;
            $out .= self::varint($field << 3 | 2) . self::varint(\strlen($entry)) . $entry;
        }

        return $out;
    }

    private static function varint(int $value): string
    {
        if ($value < 0) {
            // int64: ten bytes of two's complement
            $bytes = \pack('P', $value);
            $bits = '';
            for ($i = 7; $i >= 0; --$i) {
                $bits .= \str_pad(\decbin(\ord($bytes[$i])), 8, '0', \STR_PAD_LEFT);
            }
            $bits = \str_pad($bits, 70, '0', \STR_PAD_LEFT);
            $out = '';
            for ($i = 9; $i >= 0; --$i) {
                $group = \bindec(\substr($bits, $i * 7, 7));
                $out .= \chr($group | ($i > 0 ? 0x80 : 0));
            }

            return $out;
        }

        $out = '';
        do {
            $byte = $value % 128;
            $value = \intdiv($value, 128);
            $out .= \chr($value > 0 ? $byte + 128 : $byte);
        } while ($value > 0);

        return $out;
    }

    /**
     * @return list<array{int, int|string}> field number and value (varint or bytes)
     */
    private static function readFields(string $bytes): array
    {
        $fields = [];
        $pos = 0;
        while ($pos < \strlen($bytes)) {
            $tag = self::readVarint($bytes, $pos);
            $wire = $tag & 7;
            if ($wire === 0) {
                $fields[] = [$tag >> 3, self::readVarint($bytes, $pos)];
            } elseif ($wire === 2) {
                $length = self::readVarint($bytes, $pos);
                $fields[] = [$tag >> 3, \substr($bytes, $pos, $length)];
                $pos += $length;
            } else {
                throw new \RuntimeException("unexpected wire type $wire");
            }
        }

        return $fields;
    }

    private static function readVarint(string $bytes, int &$pos): int
    {
        $value = 0;
        $shift = 0;
        do {
            $byte = \ord($bytes[$pos++]);
            $value |= ($byte & 0x7F) << $shift;
            $shift += 7;
        } while ($byte >= 0x80);

        return $value;
    }
}
