<?php

declare(strict_types=1);

namespace RR\Jobs\Internal;

use RR\Goridge\Internal\ProtobufException;
use RR\Goridge\Internal\ProtobufReader;
use RR\Goridge\Internal\ProtobufWriter as W;
use RR\Jobs\Exception\JobsException;
use RR\Jobs\Stat;

/**
 * The `jobs.v1` messages (roadrunner-server/api `proto/jobs/v1/jobs.proto`, PROTOCOL.md §5.6), by
 * hand so that google/protobuf is not needed:
 *
 * ```proto
 * message PushRequest      { Job job = 1; }
 * message PushBatchRequest { repeated Job jobs = 1; }
 * message Job     { string job = 1; string id = 2; bytes payload = 3; map<string, HeaderValue> headers = 4; Options options = 5; }
 * message Options { int64 priority = 1; string pipeline = 2; int64 delay = 3; bool auto_ack = 6;
 *                   string topic = 7; string metadata = 8; int64 offset = 9; int32 partition = 10; }
 * message HeaderValue    { repeated string value = 1; }
 * message DeclareRequest { map<string, string> pipeline = 1; }
 * message Pipelines      { repeated string pipelines = 1; }
 * message Stats { repeated Stat stats = 1; }
 * message Stat  { string pipeline = 1; string driver = 2; string queue = 3; int64 active = 4;
 *                 int64 delayed = 5; int64 reserved = 6; bool ready = 7; uint64 priority = 8; }
 * ```
 *
 * Encoding writes what protoc-generated code writes: fields in number order, proto3 defaults
 * left out, `options` always present, map entries in array order with key and value. Decoding
 * follows protobuf's parsing rules ({@see ProtobufReader}); malformed replies throw JobsException.
 *
 * @internal
 */
final class Protocol
{
    private const OPTION_FIELDS = [
        'priority' => [1, 'int'],
        'pipeline' => [2, 'string'],
        'delay' => [3, 'int'],
        'auto_ack' => [6, 'bool'],
        'topic' => [7, 'string'],
        'metadata' => [8, 'string'],
        'offset' => [9, 'int'],
        'partition' => [10, 'int'],
    ];

    /**
     * A `jobs.v1.Job`.
     *
     * @param array<string, list<string>> $headers headers without values are left out, as the official client does
     * @param array<string, mixed>        $options `jobs.v1.Options` by proto field name; other keys are ignored
     */
    public static function job(string $name, string $id, string $payload, array $headers, array $options): string
    {
        $entries = [];
        foreach ($headers as $header => $values) {
            if ($values === []) {
                continue;
            }
            $entries[$header] = '';
            foreach ($values as $value) {
                $entries[$header] .= W::lengthDelimited(1, $value);
            }
        }

        return W::string(1, $name)
            . W::string(2, $id)
            . W::string(3, $payload)
            . W::map(4, $entries)
            . W::lengthDelimited(5, self::options($options));
    }

    public static function pushRequest(string $job): string
    {
        return W::lengthDelimited(1, $job);
    }

    /**
     * @param list<string> $jobs encoded jobs
     */
    public static function pushBatchRequest(array $jobs): string
    {
        $out = '';
        foreach ($jobs as $job) {
            $out .= W::lengthDelimited(1, $job);
        }

        return $out;
    }

    /**
     * @param list<string> $pipelines
     */
    public static function pipelines(array $pipelines): string
    {
        $out = '';
        foreach ($pipelines as $pipeline) {
            $out .= W::lengthDelimited(1, $pipeline);
        }

        return $out;
    }

    /**
     * @param array<string, string> $pipeline
     */
    public static function declareRequest(array $pipeline): string
    {
        return W::map(1, $pipeline);
    }

    /**
     * @return list<string>
     *
     * @throws JobsException
     */
    public static function decodePipelines(string $bytes): array
    {
        return self::decoding(static function () use ($bytes): array {
            $pipelines = [];
            foreach (ProtobufReader::fields($bytes, 'jobs.v1.Pipelines') as [$field, $wire, $value]) {
                if ($field === 1 && $wire === ProtobufReader::LEN) {
                    $pipelines[] = (string) $value;
                }
            }

            return $pipelines;
        });
    }

    /**
     * @return list<Stat>
     *
     * @throws JobsException
     */
    public static function decodeStats(string $bytes): array
    {
        return self::decoding(static function () use ($bytes): array {
            $stats = [];
            foreach (ProtobufReader::fields($bytes, 'jobs.v1.Stats') as [$field, $wire, $value]) {
                if ($field === 1 && $wire === ProtobufReader::LEN) {
                    $stats[] = self::decodeStat((string) $value);
                }
            }

            return $stats;
        });
    }

    /**
     * @param array<string, mixed> $options
     */
    private static function options(array $options): string
    {
        $fields = [];
        foreach (self::OPTION_FIELDS as $key => [$number, $type]) {
            $value = $options[$key] ?? null;
            $fields[$number] = match (true) {
                $value === null => '',
                $type === 'string' => W::string($number, self::scalar($key, $value)),
                $type === 'bool' => W::bool($number, (bool) $value),
                default => W::int($number, (int) self::scalar($key, $value)),
            };
        }
        \ksort($fields);

        return \implode('', $fields);
    }

    private static function scalar(string $key, mixed $value): string
    {
        if (!\is_scalar($value) && !$value instanceof \Stringable) {
            throw new \InvalidArgumentException(\sprintf('Job option "%s" must be a scalar, got %s', $key, \get_debug_type($value)));
        }

        return (string) $value;
    }

    private static function decodeStat(string $bytes): Stat
    {
        $strings = [1 => '', 2 => '', 3 => ''];
        $ints = [4 => 0, 5 => 0, 6 => 0, 7 => 0, 8 => 0];
        foreach (ProtobufReader::fields($bytes, 'jobs.v1.Stat') as [$field, $wire, $value]) {
            if (isset($strings[$field]) && $wire === ProtobufReader::LEN) {
                $strings[$field] = (string) $value;
            } elseif (isset($ints[$field]) && $wire === ProtobufReader::VARINT) {
                $ints[$field] = (int) $value;
            }
        }

        return new Stat($strings[1], $strings[2], $strings[3], $ints[4], $ints[5], $ints[6], $ints[7] !== 0, $ints[8]);
    }

    /**
     * @template T
     *
     * @param callable(): T $decode
     *
     * @return T
     */
    private static function decoding(callable $decode): mixed
    {
        try {
            return $decode();
        } catch (ProtobufException $e) {
            throw new JobsException(\sprintf('Invalid protobuf %s received from rr: %s', $e->type, $e->detail), 0, $e);
        }
    }
}
