<?php

declare(strict_types=1);

namespace RR\Http;

use RR\Http\Exception\RequestContextException;
use RR\Worker\WorkerInterface;

/**
 * HTTP requests and responses over a worker (Spiral\RoadRunner\Http\HttpWorkerInterface).
 */
interface HttpWorkerInterface
{
    public function getWorker(): WorkerInterface;

    /**
     * Blocks until the next HTTP request; null when the server stops the worker.
     *
     * @throws RequestContextException when the request context cannot be decoded
     */
    public function waitRequest(): ?Request;

    /**
     * Sends the response to the current request, or part of it.
     *
     * @param int                                               $status      HTTP status; a 1xx status (e.g. 103 Early Hints) needs an empty string body and `$endOfStream = false`
     * @param string|\Generator<mixed, mixed, mixed, mixed>|iterable<mixed> $body a string, or chunks: every yielded value is sent as a
     *                                                                         stream frame; a generator's return value goes out with the final frame
     * @param array<array-key, string|list<string>>             $headers     name => value or list of values (several `Set-Cookie` are one list)
     * @param bool                                              $endOfStream false: more responses to this request follow
     *                                                                       (an interim 1xx, or a body sent in several calls)
     *
     * @throws \InvalidArgumentException for a body with a 1xx status or a header value that is not a string
     */
    public function respond(int $status, string|\Generator|iterable $body = '', array $headers = [], bool $endOfStream = true): void;
}
