<?php

declare(strict_types=1);

namespace RR\Telemetry;

/**
 * OTLP/JSON value encoding (opentelemetry.proto.common.v1): attributes as `[{key, value: AnyValue}]`.
 *
 * @internal
 */
final class Otlp
{
    /**
     * @param array<array-key, mixed> $attributes
     *
     * @return list<array{key: string, value: array<string, mixed>}>
     */
    public static function attributes(array $attributes): array
    {
        $out = [];
        foreach ($attributes as $key => $value) {
            if ($value !== null) {
                $out[] = ['key' => (string) $key, 'value' => self::value($value)];
            }
        }

        return $out;
    }

    /**
     * @return array<string, mixed>
     */
    public static function value(mixed $value): array
    {
        return match (true) {
            \is_bool($value) => ['boolValue' => $value],
            // int64 travels as a decimal string in OTLP/JSON, as protobuf's JSON mapping has it.
            \is_int($value) => ['intValue' => (string) $value],
            \is_float($value) => ['doubleValue' => \is_finite($value) ? $value : (\is_nan($value) ? 'NaN' : ($value > 0 ? 'Infinity' : '-Infinity'))],
            \is_array($value) && \array_is_list($value) => ['arrayValue' => ['values' => \array_map(self::value(...), $value)]],
            \is_array($value) => ['kvlistValue' => ['values' => self::attributes($value)]],
            $value instanceof \Stringable => ['stringValue' => (string) $value],
            \is_string($value) => ['stringValue' => $value],
            default => ['stringValue' => \get_debug_type($value)],
        };
    }
}
