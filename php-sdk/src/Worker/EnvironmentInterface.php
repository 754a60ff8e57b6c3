<?php

declare(strict_types=1);

namespace RR\Worker;

/**
 * What RoadRunner tells a worker process through its environment (Spiral\RoadRunner\EnvironmentInterface).
 */
interface EnvironmentInterface
{
    /** RR_MODE, one of {@see Mode}; '' when unset. */
    public function getMode(): string;

    /** RR_RELAY: `pipes`, `tcp://host:port` or `unix:///path`; 'pipes' when unset. */
    public function getRelayAddress(): string;

    /** RR_RPC: the RPC listen address; 'tcp://127.0.0.1:6001' when unset. */
    public function getRPCAddress(): string;

    /** RR_VERSION, e.g. '2025.1.15'; '' when unset. */
    public function getVersion(): string;
}
