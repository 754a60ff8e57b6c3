<?php

/**
 * Hand-written message classes for grpc/echo.proto, shaped like protoc's PHP output (getters,
 * setters, mergeFromString(), serializeToString()) but without the google/protobuf runtime. With
 * protoc and google/protobuf installed, `protoc --php_out=. echo.proto` generates equivalents.
 */

declare(strict_types=1);

namespace Test;

/** Just enough protobuf wire format for these messages: varints and length-delimited fields. */
abstract class Message
{
    /** @var array<int, int|string> field number → value (the last occurrence wins, as protobuf) */
    protected array $fields = [];

    public function serializeToString(): string
    {
        ksort($this->fields);
        $out = '';
        foreach ($this->fields as $field => $value) {
            if ($value === 0 || $value === '') {
                continue;
            }
            $out .= \is_int($value)
                ? self::varint($field << 3) . self::varint($value)
                : self::varint($field << 3 | 2) . self::varint(\strlen($value)) . $value;
        }

        return $out;
    }

    public function mergeFromString(string $data): void
    {
        $pos = 0;
        $len = \strlen($data);
        while ($pos < $len) {
            $tag = self::readVarint($data, $pos);
            $field = $tag >> 3;
            $wire = $tag & 7;
            $value = match ($wire) {
                0 => self::readVarint($data, $pos),
                2 => self::take($data, $pos, self::readVarint($data, $pos)),
                1 => self::take($data, $pos, 8),
                5 => self::take($data, $pos, 4),
                default => throw new \UnexpectedValueException("unsupported wire type $wire"),
            };
            if ($field === 0) {
                throw new \UnexpectedValueException('invalid field number 0');
            }
            $this->fields[$field] = $value;
        }
    }

    protected function int(int $field): int
    {
        $v = $this->fields[$field] ?? 0;
        // int32 on the wire is 64-bit two's complement; keep the low 32 bits signed.
        return \is_int($v) ? (($v & 0xFFFFFFFF) ^ 0x80000000) - 0x80000000 : 0;
    }

    protected function str(int $field): string
    {
        $v = $this->fields[$field] ?? '';

        return \is_string($v) ? $v : '';
    }

    private static function varint(int $v): string
    {
        $out = '';
        while ($v < 0 || $v > 0x7F) {
            $out .= \chr(($v & 0x7F) | 0x80);
            $v = ($v >> 7) & 0x01FFFFFFFFFFFFFF;
        }

        return $out . \chr($v);
    }

    private static function readVarint(string $data, int &$pos): int
    {
        $result = 0;
        for ($shift = 0; $shift < 64; $shift += 7) {
            if ($pos >= \strlen($data)) {
                throw new \UnexpectedValueException('truncated varint');
            }
            $byte = \ord($data[$pos++]);
            $result |= ($byte & 0x7F) << $shift;
            if ($byte < 0x80) {
                return $result;
            }
        }
        throw new \UnexpectedValueException('varint too long');
    }

    private static function take(string $data, int &$pos, int $n): string
    {
        if ($n < 0 || $pos + $n > \strlen($data)) {
            throw new \UnexpectedValueException('truncated field');
        }
        $out = substr($data, $pos, $n);
        $pos += $n;

        return $out;
    }
}

final class SayRequest extends Message
{
    public function getText(): string { return $this->str(1); }
    public function setText(string $v): self { $this->fields[1] = $v; return $this; }
}

final class SayReply extends Message
{
    public const PROTO_NAME = 'test.SayReply';

    public function getText(): string { return $this->str(1); }
    public function setText(string $v): self { $this->fields[1] = $v; return $this; }
    public function getAuthType(): string { return $this->str(2); }
    public function setAuthType(string $v): self { $this->fields[2] = $v; return $this; }
}

final class CountRequest extends Message
{
    public function getN(): int { return $this->int(1); }
    public function setN(int $v): self { $this->fields[1] = $v; return $this; }
    public function getDelayMs(): int { return $this->int(2); }
    public function setDelayMs(int $v): self { $this->fields[2] = $v; return $this; }
}

final class CountReply extends Message
{
    public function getI(): int { return $this->int(1); }
    public function setI(int $v): self { $this->fields[1] = $v; return $this; }
}

final class FailRequest extends Message
{
    public function getCode(): int { return $this->int(1); }
    public function setCode(int $v): self { $this->fields[1] = $v; return $this; }
    public function getMessage(): string { return $this->str(2); }
    public function setMessage(string $v): self { $this->fields[2] = $v; return $this; }
    public function getPlain(): bool { return $this->int(3) !== 0; }
    public function setPlain(bool $v): self { $this->fields[3] = $v ? 1 : 0; return $this; }
}
