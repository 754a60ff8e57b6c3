<?php

declare(strict_types=1);

namespace RR\Metrics;

/**
 * An immutable collector definition for {@see MetricsInterface::declare()}
 * (Spiral\RoadRunner\Metrics\CollectorInterface): every `with…()` returns a copy.
 */
interface CollectorInterface extends \JsonSerializable
{
    /** The metric name's first part: `<namespace>_<subsystem>_<name>`. */
    public function withNamespace(string $namespace): self;

    /** The metric name's middle part: `<namespace>_<subsystem>_<name>`. */
    public function withSubsystem(string $subsystem): self;

    public function withHelp(string $help): self;

    /** The label names; every add/sub/observe/set then passes one value per label, in this order. */
    public function withLabels(string ...$label): self;

    /**
     * The `collector` object of `metrics.Declare`.
     *
     * @return array<string, mixed>
     */
    public function toArray(): array;
}
