<?php

declare(strict_types=1);

namespace RR\Telemetry;

/**
 * A span's status code, backed by its OTLP number (opentelemetry.proto.trace.v1.Status.StatusCode).
 */
enum SpanStatus: int
{
    case Unset = 0;
    case Ok = 1;
    case Error = 2;
}
