<?php

declare(strict_types=1);

namespace RR\Metrics;

use RR\Metrics\Exception\MetricsException;

/**
 * Application metrics through rr's metrics plugin (Spiral\RoadRunner\Metrics\MetricsInterface).
 * `$labels` are the label values, one per label the collector declares, in its order.
 */
interface MetricsInterface
{
    /**
     * Adds to a counter or gauge.
     *
     * @param list<string> $labels
     *
     * @throws MetricsException
     */
    public function add(string $name, float $value, array $labels = []): void;

    /**
     * Subtracts from a gauge.
     *
     * @param list<string> $labels
     *
     * @throws MetricsException
     */
    public function sub(string $name, float $value, array $labels = []): void;

    /**
     * Records an observation of a histogram or summary.
     *
     * @param list<string> $labels
     *
     * @throws MetricsException
     */
    public function observe(string $name, float $value, array $labels = []): void;

    /**
     * Sets a gauge.
     *
     * @param list<string> $labels
     *
     * @throws MetricsException
     */
    public function set(string $name, float $value, array $labels = []): void;

    /**
     * Declares a collector at runtime; declaring a name that already exists does nothing.
     *
     * @throws MetricsException
     */
    public function declare(string $name, CollectorInterface $collector): void;

    /**
     * Removes a collector; removing an unknown one does nothing.
     *
     * @throws MetricsException
     */
    public function unregister(string $name): void;
}
