<?php

declare(strict_types=1);

namespace RR\Worker;

/**
 * Values of RR_MODE: the plugin that owns the worker's pool (Spiral\RoadRunner\Environment\Mode).
 */
interface Mode
{
    public const MODE_HTTP = 'http';
    public const MODE_TEMPORAL = 'temporal';
    public const MODE_JOBS = 'jobs';
    public const MODE_GRPC = 'grpc';
    public const MODE_TCP = 'tcp';
    public const MODE_CENTRIFUGE = 'centrifuge';
}
