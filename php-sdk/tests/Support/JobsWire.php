<?php

declare(strict_types=1);

namespace RR\Tests\Support;

/**
 * The jobs.v1 messages written out field by field from PROTOCOL.md §5.6, independently of
 * RR\Jobs\Internal\Protocol, for expected requests and scripted replies in tests. proto3: strings,
 * ints and bools at their defaults are not written; embedded messages, repeated elements and map
 * entries always are.
 */
final class JobsWire
{
    /**
     * @param array<string, list<string>> $headers
     * @param string                      $options an encoded Options message
     */
    public static function job(string $name, string $id, string $payload, array $headers, string $options): string
    {
        $out = self::str(1, $name) . self::str(2, $id) . self::str(3, $payload);
        foreach ($headers as $header => $values) {
            $value = '';
            foreach ($values as $v) {
                $value .= self::len(1, $v);
            }
            $out .= self::len(4, self::len(1, (string) $header) . self::len(2, $value));
        }

        return $out . self::len(5, $options);
    }

    public static function options(string $pipeline, int $priority = 0, int $delay = 0, bool $autoAck = false, string $topic = '', string $metadata = '', int $offset = 0, int $partition = 0): string
    {
        return self::int(1, $priority) . self::str(2, $pipeline) . self::int(3, $delay) . ($autoAck ? "\x30\x01" : '')
            . self::str(7, $topic) . self::str(8, $metadata) . self::int(9, $offset) . self::int(10, $partition);
    }

    public static function push(string $job): string
    {
        return self::len(1, $job);
    }

    public static function pushBatch(string ...$jobs): string
    {
        return \implode('', \array_map(static fn (string $job): string => self::len(1, $job), $jobs));
    }

    public static function pipelines(string ...$names): string
    {
        return \implode('', \array_map(static fn (string $name): string => self::len(1, $name), $names));
    }

    /**
     * @param array<string, string> $map
     */
    public static function declare(array $map): string
    {
        $out = '';
        foreach ($map as $key => $value) {
            $out .= self::len(1, self::len(1, (string) $key) . self::len(2, $value));
        }

        return $out;
    }

    public static function stat(string $pipeline, string $driver, string $queue, int $active, int $delayed, int $reserved, bool $ready, int $priority): string
    {
        return self::str(1, $pipeline) . self::str(2, $driver) . self::str(3, $queue)
            . self::int(4, $active) . self::int(5, $delayed) . self::int(6, $reserved) . ($ready ? "\x38\x01" : '') . self::int(8, $priority);
    }

    public static function stats(string ...$stats): string
    {
        return \implode('', \array_map(static fn (string $stat): string => self::len(1, $stat), $stats));
    }

    private static function str(int $field, string $value): string
    {
        return $value === '' ? '' : self::len($field, $value);
    }

    private static function len(int $field, string $bytes): string
    {
        return self::varint($field << 3 | 2) . self::varint(\strlen($bytes)) . $bytes;
    }

    private static function int(int $field, int $value): string
    {
        return $value === 0 ? '' : self::varint($field << 3) . self::varint($value);
    }

    private static function varint(int $value): string
    {
        // Negative ints are 64-bit two's complement: ten bytes, the last one 0x01.
        $bytes = '';
        for ($i = 0; $i < 10; ++$i) {
            $low = $value & 0x7F;
            $value = ($value >> 7) & (\PHP_INT_MAX >> 6);
            if ($value === 0) {
                return $bytes . \chr($low);
            }
            $bytes .= \chr($low | 0x80);
        }

        return $bytes;
    }
}
