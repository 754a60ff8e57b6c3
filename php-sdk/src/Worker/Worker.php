<?php

declare(strict_types=1);

namespace RR\Worker;

use RR\Goridge\BlockingRelayInterface;
use RR\Goridge\Frame;
use RR\Goridge\Relay;
use RR\Goridge\RelayInterface;
use RR\Worker\Exception\RoadRunnerException;
use RR\Worker\Exception\StreamStoppedException;
use RR\Worker\Internal\StdoutHandler;

/**
 * The worker loop: receives requests from RoadRunner and sends responses (Spiral\RoadRunner\Worker).
 *
 * ```php
 * $worker = Worker::create();
 * while ($request = $worker->waitPayload()) {
 *     $worker->respond(new Payload('DONE', $request->header));
 * }
 * ```
 *
 * Handled transparently:
 * - CONTROL `{"pid":…}` is answered with a CONTROL frame `{"pid":getmypid()}`; `{"stop":true}` makes
 *   waitPayload() return null;
 * - STOP frames received while idle and PONG frames are consumed;
 * - streaming: `respond()` of a payload with `eos === false` sends a chunk
 *   with the STREAM bit. After every 5 chunks the next chunk carries PING and the worker waits for
 *   the PONG without blocking. Before each chunk the relay is polled without blocking for PONG/STOP
 *   frames: always on socket relays, on pipes only while a PONG is due. Once a STOP was seen the
 *   next chunk throws {@see StreamStoppedException}; a final payload (`eos === true`) ends the stream.
 */
class Worker implements WorkerInterface
{
    private const JSON_ENCODE_FLAGS = \JSON_THROW_ON_ERROR | \JSON_PRESERVE_ZERO_FRACTION;

    /** A PING rides on the chunk sent after every this many chunks. */
    public const PING_EVERY = 5;

    /** @var list<Frame> frames read while polling that waitPayload() must still handle */
    private array $queue = [];

    /** Chunks (STREAM frames) sent in the current stream. */
    private int $chunksSent = 0;

    private bool $waitingPong = false;

    private bool $streamStopped = false;

    public function __construct(
        private readonly RelayInterface $relay,
        bool $interceptSideEffects = true,
    ) {
        if ($interceptSideEffects) {
            StdoutHandler::register();
        }
    }

    /**
     * A worker over the relay named by RR_RELAY (default `pipes`).
     */
    public static function create(bool $interceptSideEffects = true): self
    {
        return self::createFromEnvironment(Environment::fromGlobals(), $interceptSideEffects);
    }

    public static function createFromEnvironment(EnvironmentInterface $env, bool $interceptSideEffects = true): self
    {
        return new self(Relay::create($env->getRelayAddress()), $interceptSideEffects);
    }

    public function getRelay(): RelayInterface
    {
        return $this->relay;
    }

    public function waitPayload(): ?Payload
    {
        while (true) {
            $frame = $this->queue !== [] ? \array_shift($this->queue) : $this->relay->waitFrame();
            $payload = $frame->payload ?? '';

            if ($frame->hasFlag(Frame::CONTROL)) {
                $command = self::decodeControl($payload);
                if (!empty($command['stop'])) {
                    $this->resetStream();

                    return null;
                }
                if (!empty($command['pid'])) {
                    $this->sendFrame(new Frame($this->encode(['pid' => \getmypid()]), [], Frame::CONTROL));
                    continue;
                }

                throw new RoadRunnerException('Invalid task header, undefined control package');
            }

            if (($frame->byte10 & Frame::BYTE10_STOP) !== 0) {
                // A stream cancel that reached us after the stream ended: nothing to stop.
                continue;
            }

            if (($frame->byte10 & Frame::BYTE10_PONG) !== 0) {
                $this->waitingPong = false;
                continue;
            }

            if (!isset($frame->options[0])) {
                throw new RoadRunnerException('Invalid data frame, option 0 (context length) is missing');
            }

            $contextLength = $frame->options[0];
            if ($contextLength > \strlen($payload)) {
                throw new RoadRunnerException(\sprintf(
                    'Invalid data frame, context length %d exceeds the payload of %d bytes',
                    $contextLength,
                    \strlen($payload),
                ));
            }

            $this->resetStream();

            return new Payload(\substr($payload, $contextLength), \substr($payload, 0, $contextLength));
        }
    }

    public function respond(Payload $payload, ?int $codec = null): void
    {
        $chunk = $payload->eos === false;
        $inStream = $chunk || $this->chunksSent > 0 || $this->streamStopped;

        if ($inStream) {
            $this->poll();
        }

        if ($chunk && $this->streamStopped) {
            throw new StreamStoppedException('The server stopped the stream, send a final payload (eos: true) to end it');
        }

        $frame = new Frame($payload->header . $payload->body, [\strlen($payload->header)], $codec ?? 0);

        if ($chunk) {
            $frame->byte10 |= Frame::BYTE10_STREAM;
            if (!$this->waitingPong && $this->chunksSent > 0 && $this->chunksSent % self::PING_EVERY === 0) {
                $frame->byte10 |= Frame::BYTE10_PING;
            }
        }

        $this->sendFrame($frame);

        if ($chunk) {
            ++$this->chunksSent;
            if (($frame->byte10 & Frame::BYTE10_PING) !== 0) {
                $this->waitingPong = true;
            }
        } else {
            $this->endStream();
        }
    }

    public function error(string $error): void
    {
        $this->sendFrame(new Frame($error, [], Frame::ERROR));
        $this->endStream();
    }

    public function stop(): void
    {
        $header = $this->encode(['stop' => true]);
        $this->sendFrame(new Frame($header, [\strlen($header)]));
        $this->endStream();
    }

    /**
     * Drains frames that are already readable: PONG clears the wait, STOP marks the stream stopped,
     * anything else is queued for waitPayload(). Pipes are only polled while a PONG is due.
     */
    private function poll(): void
    {
        if ($this->relay instanceof BlockingRelayInterface && !$this->waitingPong) {
            return;
        }

        while ($this->relay->hasFrame()) {
            $frame = $this->relay->waitFrame();

            if (!$frame->hasFlag(Frame::CONTROL) && ($frame->byte10 & Frame::BYTE10_PONG) !== 0) {
                $this->waitingPong = false;
            } elseif (!$frame->hasFlag(Frame::CONTROL) && ($frame->byte10 & Frame::BYTE10_STOP) !== 0) {
                $this->streamStopped = true;
            } else {
                $this->queue[] = $frame;
            }

            if ($this->relay instanceof BlockingRelayInterface && !$this->waitingPong) {
                return;
            }
        }
    }

    /**
     * A frame without the STREAM bit ends the stream; a PONG still due is consumed later.
     */
    private function endStream(): void
    {
        $this->chunksSent = 0;
        $this->streamStopped = false;
    }

    private function resetStream(): void
    {
        $this->endStream();
        $this->waitingPong = false;
    }

    private function sendFrame(Frame $frame): void
    {
        $this->relay->send($frame);
    }

    /**
     * @return array<array-key, mixed>
     */
    private static function decodeControl(string $payload): array
    {
        try {
            $command = \json_decode($payload, true, 512, \JSON_THROW_ON_ERROR);
        } catch (\JsonException $e) {
            throw new RoadRunnerException('Invalid task header, JSON payload is expected: ' . $e->getMessage(), 0, $e);
        }

        if (!\is_array($command)) {
            throw new RoadRunnerException('Invalid task header, JSON payload is expected: a JSON object');
        }

        return $command;
    }

    /**
     * @param array<string, mixed> $payload
     */
    private function encode(array $payload): string
    {
        return \json_encode($payload, self::JSON_ENCODE_FLAGS);
    }
}
