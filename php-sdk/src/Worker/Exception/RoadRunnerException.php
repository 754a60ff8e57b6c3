<?php

declare(strict_types=1);

namespace RR\Worker\Exception;

/**
 * The server sent something the worker protocol does not allow (Spiral\RoadRunner\Exception\RoadRunnerException).
 */
class RoadRunnerException extends \RuntimeException
{
}
