<?php

declare(strict_types=1);

namespace RR\Metrics\Exception;

/**
 * rr refused a metrics call, or its argument cannot be sent
 * (Spiral\RoadRunner\Metrics\Exception\MetricsException). For rr's refusals the
 * {@see \RR\Goridge\Exception\ServiceException} is the previous exception.
 */
class MetricsException extends \RuntimeException
{
}
