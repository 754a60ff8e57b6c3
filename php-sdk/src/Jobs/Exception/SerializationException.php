<?php

declare(strict_types=1);

namespace RR\Jobs\Exception;

/**
 * A delivery's context is not valid JSON, or a task's response cannot be JSON-encoded
 * (Spiral\RoadRunner\Jobs\Exception\SerializationException).
 */
class SerializationException extends JobsException
{
}
