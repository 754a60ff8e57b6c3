<?php

declare(strict_types=1);

namespace RR\Metrics;

/**
 * The Prometheus collector kinds rr can declare (Spiral\RoadRunner\Metrics\CollectorType).
 */
enum CollectorType: string
{
    case Histogram = 'histogram';
    case Gauge = 'gauge';
    case Counter = 'counter';
    case Summary = 'summary';
}
