<?php

declare(strict_types=1);

namespace RR\Metrics;

/**
 * A collector definition (Spiral\RoadRunner\Metrics\Collector):
 *
 * ```php
 * Collector::histogram(0.1, 0.5, 1.0)->withNamespace('app')->withHelp('Request duration')->withLabels('route');
 * Collector::summary(['0.5' => 0.05, '0.99' => 0.001]);
 * ```
 *
 * {@see toArray()} is the JSON rr's `metrics.Declare` decodes: `namespace`, `subsystem`, `type`,
 * `help`, `labels`, `buckets`, and, for a summary with objectives, `objectives`
 * (`{"0.5":0.05,…}`). Without objectives the key is left out, so the bytes are those of the
 * official client, whose summaries have none.
 */
final class Collector implements CollectorInterface
{
    private string $namespace = '';

    private string $subsystem = '';

    private string $help = '';

    /** @var list<string> */
    private array $labels = [];

    /** @var list<float> */
    private array $buckets = [];

    /** @var array<string, float> quantile (as a decimal string) => allowed error */
    private array $objectives = [];

    private function __construct(
        public readonly CollectorType $type,
    ) {
    }

    /**
     * A histogram with these bucket upper bounds (none: Prometheus' default buckets).
     */
    public static function histogram(float ...$bucket): self
    {
        $self = new self(CollectorType::Histogram);
        $self->buckets = \array_values($bucket);

        return $self;
    }

    public static function gauge(): self
    {
        return new self(CollectorType::Gauge);
    }

    public static function counter(): self
    {
        return new self(CollectorType::Counter);
    }

    /**
     * A summary; `$objectives` maps quantiles (0…1) to their allowed error, e.g.
     * `['0.5' => 0.05, '0.9' => 0.01]`. Write the quantiles as strings: PHP truncates float array
     * keys to integers.
     *
     * @param array<array-key, float|int> $objectives
     *
     * @throws \InvalidArgumentException for a quantile outside 0…1 or an error that is not a number
     */
    public static function summary(array $objectives = []): self
    {
        $self = new self(CollectorType::Summary);
        foreach ($objectives as $quantile => $error) {
            if (!\is_numeric($quantile) || (float) $quantile < 0.0 || (float) $quantile > 1.0) {
                throw new \InvalidArgumentException(\sprintf('A summary objective is keyed by a quantile between 0 and 1, got "%s"', $quantile));
            }
            if (!\is_int($error) && !\is_float($error)) {
                throw new \InvalidArgumentException(\sprintf('The allowed error of quantile %s must be a number, got %s', $quantile, \get_debug_type($error)));
            }
            $self->objectives[self::quantileKey((float) $quantile)] = (float) $error;
        }

        return $self;
    }

    public function withNamespace(string $namespace): self
    {
        $self = clone $this;
        $self->namespace = $namespace;

        return $self;
    }

    public function withSubsystem(string $subsystem): self
    {
        $self = clone $this;
        $self->subsystem = $subsystem;

        return $self;
    }

    public function withHelp(string $help): self
    {
        $self = clone $this;
        $self->help = $help;

        return $self;
    }

    public function withLabels(string ...$label): self
    {
        $self = clone $this;
        $self->labels = \array_values($label);

        return $self;
    }

    /**
     * @return array{namespace: string, subsystem: string, type: string, help: string, labels: list<string>, buckets: list<float>, objectives?: array<string, float>}
     */
    public function toArray(): array
    {
        $collector = [
            'namespace' => $this->namespace,
            'subsystem' => $this->subsystem,
            'type' => $this->type->value,
            'help' => $this->help,
            'labels' => $this->labels,
            'buckets' => $this->buckets,
        ];
        if ($this->objectives !== []) {
            $collector['objectives'] = $this->objectives;
        }

        return $collector;
    }

    /**
     * @return array<string, mixed>
     */
    public function jsonSerialize(): array
    {
        return $this->toArray();
    }

    /**
     * A key PHP keeps as a string ("1.0", not "1", which would become the integer 1 and could turn
     * the objectives into a JSON list), which Go and rr parse as the same number.
     */
    private static function quantileKey(float $quantile): string
    {
        $key = (string) $quantile;

        return \str_contains($key, '.') || \str_contains($key, 'E') ? $key : $key . '.0';
    }
}
