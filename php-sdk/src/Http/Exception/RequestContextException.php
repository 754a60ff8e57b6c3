<?php

declare(strict_types=1);

namespace RR\Http\Exception;

use RR\Worker\Exception\RoadRunnerException;

/**
 * The request context of an HTTP payload cannot be decoded: invalid JSON or protobuf, a required
 * key missing, a value of the wrong type, or a context in the other encoding than the one detected
 * on the first request of the process.
 *
 * The request has been consumed: answer it (usually with `$worker->error()`) before waiting for
 * the next one. The official SDK throws `\JsonException` or a protobuf parse error instead; a
 * JSON problem is available as the previous exception.
 */
class RequestContextException extends RoadRunnerException
{
}
