<?php

declare(strict_types=1);

namespace RR\Logger;

use RR\Goridge\RPC\Codec\JsonCodec;
use RR\Goridge\RPC\Codec\ProtobufCodec;
use RR\Goridge\RPC\RPCInterface;

/**
 * Logs through rr's `app` plugin (RoadRunner's app-logger) over RPC, so worker lines get rr's format,
 * level filter and outputs (`logs.channels.app`). PSR-3-shaped without depending on psr/log: wrap it
 * in a `Psr\Log\LoggerInterface` adapter if you need the interface.
 *
 * Levels map to RoadRunner's four: emergency/alert/critical/error → `app.Error`, warning →
 * `app.Warning`, notice/info → `app.Info`, debug → `app.Debug`. With a non-empty context the
 * `…WithContext` variant is sent (protobuf `applogger.v1.LogEntry`): each entry becomes an attribute,
 * strings as they are, a Throwable as its string form, anything else JSON-encoded — as
 * roadrunner-php/app-logger does. Messages are sent as given (no `{placeholder}` interpolation).
 */
final class AppLogger
{
    private const LEVELS = [
        'emergency' => 'Error',
        'alert' => 'Error',
        'critical' => 'Error',
        'error' => 'Error',
        'warning' => 'Warning',
        'notice' => 'Info',
        'info' => 'Info',
        'debug' => 'Debug',
    ];

    private readonly RPCInterface $json;

    private readonly RPCInterface $proto;

    public function __construct(RPCInterface $rpc)
    {
        $this->json = $rpc->withCodec(new JsonCodec());
        $this->proto = $rpc->withCodec(new ProtobufCodec());
    }

    /** @param array<array-key, mixed> $context */
    public function emergency(string|\Stringable $message, array $context = []): void
    {
        $this->log('emergency', $message, $context);
    }

    /** @param array<array-key, mixed> $context */
    public function alert(string|\Stringable $message, array $context = []): void
    {
        $this->log('alert', $message, $context);
    }

    /** @param array<array-key, mixed> $context */
    public function critical(string|\Stringable $message, array $context = []): void
    {
        $this->log('critical', $message, $context);
    }

    /** @param array<array-key, mixed> $context */
    public function error(string|\Stringable $message, array $context = []): void
    {
        $this->log('error', $message, $context);
    }

    /** @param array<array-key, mixed> $context */
    public function warning(string|\Stringable $message, array $context = []): void
    {
        $this->log('warning', $message, $context);
    }

    /** @param array<array-key, mixed> $context */
    public function notice(string|\Stringable $message, array $context = []): void
    {
        $this->log('notice', $message, $context);
    }

    /** @param array<array-key, mixed> $context */
    public function info(string|\Stringable $message, array $context = []): void
    {
        $this->log('info', $message, $context);
    }

    /** @param array<array-key, mixed> $context */
    public function debug(string|\Stringable $message, array $context = []): void
    {
        $this->log('debug', $message, $context);
    }

    /**
     * Logs at a PSR-3 level (case-insensitive).
     *
     * @param array<array-key, mixed> $context
     *
     * @throws \InvalidArgumentException for an unknown level, as PSR-3 asks
     */
    public function log(mixed $level, string|\Stringable $message, array $context = []): void
    {
        $name = \is_string($level) || $level instanceof \Stringable ? \strtolower((string) $level) : null;
        $method = $name === null ? null : (self::LEVELS[$name] ?? null);
        if ($method === null) {
            throw new \InvalidArgumentException(\sprintf('unknown log level %s', \is_scalar($level) ? "'$level'" : \get_debug_type($level)));
        }
        $this->send($method, (string) $message, $context);
    }

    /**
     * Writes the message raw to rr's log output (`app.Log`), without level or formatting.
     *
     * @param array<array-key, mixed> $context
     */
    public function raw(string|\Stringable $message, array $context = []): void
    {
        $this->send('Log', (string) $message, $context);
    }

    /** @param array<array-key, mixed> $context */
    private function send(string $method, string $message, array $context): void
    {
        if ($context === []) {
            $this->json->call('app.' . $method, $message);

            return;
        }
        $this->proto->call('app.' . $method . 'WithContext', self::encodeEntry($message, $context));
    }

    /**
     * `applogger.v1.LogEntry { string message = 1; repeated LogAttrs attributes = 2; }` with
     * `LogAttrs { string key = 1; string value = 2; }`, as protoc writes it.
     *
     * @param array<array-key, mixed> $context
     */
    public static function encodeEntry(string $message, array $context): string
    {
        $bytes = self::field(1, $message);
        foreach ($context as $key => $value) {
            $bytes .= self::field(2, self::field(1, (string) $key) . self::field(2, self::stringify($value)), true);
        }

        return $bytes;
    }

    private static function stringify(mixed $value): string
    {
        if (\is_string($value)) {
            return $value;
        }
        if ($value instanceof \Throwable) {
            return (string) $value;
        }

        return \json_encode($value, \JSON_UNESCAPED_SLASHES | \JSON_UNESCAPED_UNICODE | \JSON_PARTIAL_OUTPUT_ON_ERROR) ?: '';
    }

    /** A length-delimited field; proto3 leaves empty strings out, but an empty attribute is still written. */
    private static function field(int $number, string $value, bool $always = false): string
    {
        if ($value === '' && !$always) {
            return '';
        }

        return self::varint(($number << 3) | 2) . self::varint(\strlen($value)) . $value;
    }

    private static function varint(int $n): string
    {
        $out = '';
        while ($n > 0x7f) {
            $out .= \chr(($n & 0x7f) | 0x80);
            $n >>= 7;
        }

        return $out . \chr($n);
    }
}
