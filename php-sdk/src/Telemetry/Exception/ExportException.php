<?php

declare(strict_types=1);

namespace RR\Telemetry\Exception;

/**
 * Spans could not be delivered to the collector: it is unreachable, timed out, or answered with a
 * status other than 2xx. The spans of that call are lost; the worker can go on.
 */
class ExportException extends \RuntimeException
{
}
