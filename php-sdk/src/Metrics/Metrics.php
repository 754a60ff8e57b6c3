<?php

declare(strict_types=1);

namespace RR\Metrics;

use RR\Goridge\Exception\CodecException;
use RR\Goridge\Exception\ServiceException;
use RR\Goridge\RPC\Codec\JsonCodec;
use RR\Goridge\RPC\RPCInterface;
use RR\Metrics\Exception\MetricsException;

/**
 * The metrics client (Spiral\RoadRunner\Metrics\Metrics): `metrics.Add`, `Sub`, `Observe`, `Set`
 * with `{"name","value","labels"}`, `metrics.Declare` with `{"name","collector":{…}}` and
 * `metrics.Unregister` with the name, all JSON (PROTOCOL.md §5.5).
 *
 * ```php
 * $metrics = new Metrics(RPC::create('tcp://127.0.0.1:6001'));
 * $metrics->declare('hits', Collector::counter()->withLabels('route'));
 * $metrics->add('hits', 1, ['/home']);
 * ```
 *
 * rr's errors become MetricsException, except rr's "tried to register existing collector" on
 * declare, which is ignored as by the official client. A value that JSON cannot carry (NaN, ±INF)
 * throws MetricsException before anything is sent.
 */
class Metrics implements MetricsInterface
{
    private const SERVICE_NAME = 'metrics';

    private readonly RPCInterface $rpc;

    public function __construct(RPCInterface $rpc)
    {
        // rr's metrics service only takes JSON, whatever codec the given client was set up with.
        $this->rpc = $rpc->withServicePrefix(self::SERVICE_NAME)->withCodec(new JsonCodec());
    }

    public function add(string $name, float $value, array $labels = []): void
    {
        $this->update('Add', $name, $value, $labels);
    }

    public function sub(string $name, float $value, array $labels = []): void
    {
        $this->update('Sub', $name, $value, $labels);
    }

    public function observe(string $name, float $value, array $labels = []): void
    {
        $this->update('Observe', $name, $value, $labels);
    }

    public function set(string $name, float $value, array $labels = []): void
    {
        $this->update('Set', $name, $value, $labels);
    }

    public function declare(string $name, CollectorInterface $collector): void
    {
        try {
            $this->call('Declare', ['name' => $name, 'collector' => $collector->toArray()]);
        } catch (MetricsException $e) {
            if (\str_contains($e->getMessage(), 'tried to register existing collector')) {
                return;
            }

            throw $e;
        }
    }

    public function unregister(string $name): void
    {
        $this->call('Unregister', $name);
    }

    /**
     * @param array<array-key, string> $labels
     */
    private function update(string $method, string $name, float $value, array $labels): void
    {
        if (!\is_finite($value)) {
            throw new MetricsException(\sprintf('metrics.%s "%s": the value %s cannot be sent, JSON has no NaN or infinity', $method, $name, \is_nan($value) ? 'NAN' : ($value > 0 ? 'INF' : '-INF')));
        }

        $this->call($method, ['name' => $name, 'value' => $value, 'labels' => \array_values($labels)]);
    }

    /**
     * @throws MetricsException
     */
    private function call(string $method, mixed $payload): void
    {
        try {
            $this->rpc->call($method, $payload);
        } catch (ServiceException|CodecException $e) {
            throw new MetricsException($e->getMessage(), (int) $e->getCode(), $e);
        }
    }
}
