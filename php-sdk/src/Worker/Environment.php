<?php

declare(strict_types=1);

namespace RR\Worker;

/**
 * Worker environment read from RR_MODE, RR_RELAY, RR_RPC and RR_VERSION (Spiral\RoadRunner\Environment).
 */
class Environment implements EnvironmentInterface
{
    public const DEFAULT_RELAY = 'pipes';
    public const DEFAULT_RPC = 'tcp://127.0.0.1:6001';

    /**
     * @param array<array-key, mixed> $env
     */
    public function __construct(private readonly array $env = [])
    {
    }

    /**
     * Reads the process environment: getenv(), then $_ENV, then $_SERVER (later sources win).
     *
     * getenv() is included because PHP's default variables_order (GPCS) leaves $_ENV empty.
     */
    public static function fromGlobals(): self
    {
        return new self(\array_merge(\getenv(), $_ENV, $_SERVER));
    }

    public function getMode(): string
    {
        return $this->get('RR_MODE', '');
    }

    public function getRelayAddress(): string
    {
        return $this->get('RR_RELAY', self::DEFAULT_RELAY);
    }

    public function getRPCAddress(): string
    {
        return $this->get('RR_RPC', self::DEFAULT_RPC);
    }

    public function getVersion(): string
    {
        return $this->get('RR_VERSION', '');
    }

    private function get(string $name, string $default): string
    {
        $value = $this->env[$name] ?? null;

        return \is_scalar($value) && (string) $value !== '' ? (string) $value : $default;
    }
}
