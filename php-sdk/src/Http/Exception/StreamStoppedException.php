<?php

declare(strict_types=1);

namespace RR\Http\Exception;

use RR\Worker\Exception\StreamStoppedException as WorkerStreamStoppedException;

/**
 * Thrown into a response body generator when the server cancelled the stream (a STOP frame,
 * usually because the HTTP client went away): Spiral\RoadRunner\Http\Exception\StreamStoppedException.
 *
 * It extends the worker's {@see WorkerStreamStoppedException}, which is its previous exception,
 * so a generator may catch either. Whatever the generator does with it, {@see \RR\Http\HttpWorker}
 * then ends the stream with an empty terminating payload and sends nothing more for this request.
 *
 * ```php
 * $http->respond(200, (function () {
 *     try {
 *         foreach (produce() as $chunk) {
 *             yield $chunk;
 *         }
 *     } catch (StreamStoppedException) {
 *         cleanup();           // the client is gone: stop producing
 *     }
 * })());
 * ```
 */
class StreamStoppedException extends WorkerStreamStoppedException
{
}
