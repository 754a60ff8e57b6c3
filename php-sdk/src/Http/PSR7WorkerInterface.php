<?php

declare(strict_types=1);

namespace RR\Http;

use Psr\Http\Message\ResponseInterface;
use Psr\Http\Message\ServerRequestInterface;
use RR\Http\Exception\RequestContextException;
use RR\Worker\WorkerInterface;

/**
 * PSR-7 requests and responses over a worker (Spiral\RoadRunner\Http\PSR7WorkerInterface).
 */
interface PSR7WorkerInterface
{
    public function getWorker(): WorkerInterface;

    /**
     * Blocks until the next HTTP request; null when the server stops the worker.
     *
     * @throws RequestContextException when the request context cannot be decoded
     * @throws \JsonException when a parsed body is not JSON
     */
    public function waitRequest(): ?ServerRequestInterface;

    /**
     * Sends the response to the current request (a 1xx one as an interim response).
     */
    public function respond(ResponseInterface $response): void;
}
