<?php

declare(strict_types=1);

namespace RR\Jobs\Exception;

/**
 * A delivery that is not a job: no context, a context that is not a JSON object, or one without a
 * string `id` and `job` (Spiral\RoadRunner\Jobs\Exception\ReceivedTaskException).
 */
class ReceivedTaskException extends JobsException
{
}
