<?php

declare(strict_types=1);

namespace RR\Worker;

use RR\Goridge\Exception\GoridgeException;
use RR\Worker\Exception\RoadRunnerException;
use RR\Worker\Exception\StreamStoppedException;

/**
 * The worker side of the RoadRunner protocol (Spiral\RoadRunner\WorkerInterface).
 */
interface WorkerInterface
{
    /**
     * Blocks until the next request; null when the server asked the worker to stop.
     *
     * @throws GoridgeException
     * @throws RoadRunnerException on a malformed control or data frame
     */
    public function waitPayload(): ?Payload;

    /**
     * Sends a response, or one chunk of a streamed response when `$payload->eos` is false.
     *
     * @param int|null $codec frame codec flag (Frame::CODEC_*), 0 when null
     *
     * @throws StreamStoppedException when the server cancelled the stream this chunk belongs to
     * @throws GoridgeException
     */
    public function respond(Payload $payload, ?int $codec = null): void;

    /**
     * Reports a failure of the current request (a soft error: the worker stays in the pool).
     *
     * @throws GoridgeException
     */
    public function error(string $error): void;

    /**
     * Asks the server to replace this worker; the current request is re-dispatched elsewhere.
     *
     * @throws GoridgeException
     */
    public function stop(): void;
}
