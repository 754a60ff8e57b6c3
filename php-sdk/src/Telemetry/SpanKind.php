<?php

declare(strict_types=1);

namespace RR\Telemetry;

/**
 * OpenTelemetry's span kinds, backed by their OTLP numbers (opentelemetry.proto.trace.v1.Span.SpanKind).
 */
enum SpanKind: int
{
    case Internal = 1;
    case Server = 2;
    case Client = 3;
    case Producer = 4;
    case Consumer = 5;
}
