<?php

declare(strict_types=1);

namespace RR\Worker\Exception;

/**
 * The server cancelled the streamed response in progress (a STOP frame),
 * typically because the HTTP client went away.
 *
 * Thrown by {@see \RR\Worker\Worker::respond()} for a chunk (`eos === false`) once the worker has
 * seen the STOP; the chunk is not sent. The server keeps discarding frames until one arrives
 * without the STREAM bit, so finish the stream with a final payload:
 *
 * ```php
 * try {
 *     $worker->respond(new Payload($chunk, $header, eos: false));
 * } catch (StreamStoppedException) {
 *     $worker->respond(new Payload(''));   // ends the stream; the server drops it
 * }
 * ```
 *
 * The official SDK surfaces this as a queued StreamStop message that roadrunner-http turns into
 * its own StreamStoppedException inside the response generator.
 */
class StreamStoppedException extends RoadRunnerException
{
}
