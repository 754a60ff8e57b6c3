<?php

declare(strict_types=1);

namespace RR\Jobs\Task;

use RR\Jobs\Exception\JobsException;
use RR\Jobs\Exception\SerializationException;
use RR\Jobs\Internal\Settlement;
use RR\Jobs\Queue\Driver;
use RR\Worker\Payload;
use RR\Worker\WorkerInterface;

/**
 * A task delivered to this worker (Spiral\RoadRunner\Jobs\Task\ReceivedTask, roadrunner-jobs ≥ 4.5).
 *
 * The answer is the response body `{"type":N,"data":…}` (PROTOCOL.md §6.2) with an empty context,
 * frame flags 0, encoded with PHP's default json_encode() flags as the official client does (empty
 * data is `[]`):
 *
 * | method                    | type | data                                                        |
 * |---------------------------|------|-------------------------------------------------------------|
 * | complete() (deprecated)   | 0    | `[]`                                                        |
 * | fail($e, $requeue)        | 1    | `{"message","requeue","delay_seconds"[,"headers"]}`         |
 * | ack()                     | 2    | `[]`                                                        |
 * | nack($m, $redelivery)     | 3    | `{"message","requeue","delay_seconds"}`                     |
 * | requeue($m)               | 4    | `{"message","delay_seconds"[,"headers"]}`                   |
 *
 * `message` is the string or `(string) $throwable` (with its trace), `delay_seconds` comes from
 * withDelay(), `headers` (left out when there are none) are the task's headers after withHeader()
 * and friends. Invalid UTF-8 in them is replaced by U+FFFD rather than failing the answer.
 *
 * Only the first answer is sent; later ones, through the task or any copy of it, are ignored.
 * Nothing is sent automatically: a task nobody answers keeps rr waiting, as with the official
 * client ≥ 4.0.
 */
class ReceivedTask extends QueuedTask implements ReceivedTaskInterface
{
    use WritableHeadersTrait;

    private const JSON_FLAGS = \JSON_THROW_ON_ERROR | \JSON_INVALID_UTF8_SUBSTITUTE;

    private readonly Settlement $settlement;

    private int $delay = 0;

    /**
     * @param array<string, list<string>> $headers
     */
    public function __construct(
        WorkerInterface $worker,
        string $id,
        private readonly Driver $driver,
        string $pipeline,
        string $job,
        private readonly string $queue,
        string $payload,
        array $headers = [],
    ) {
        $this->settlement = new Settlement($worker);
        parent::__construct($id, $pipeline, $job, $payload, $headers);
    }

    public function getDriver(): Driver
    {
        return $this->driver;
    }

    public function getQueue(): string
    {
        return $this->queue;
    }

    public function ack(): void
    {
        $this->respond(Type::ACK);
    }

    public function nack(string|\Stringable|\Throwable $message, bool $redelivery = false): void
    {
        $this->respond(Type::NACK, [
            'message' => (string) $message,
            'requeue' => $redelivery,
            'delay_seconds' => $this->delay,
        ]);
    }

    public function requeue(string|\Stringable|\Throwable $message): void
    {
        $this->respond(Type::REQUEUE, $this->withHeadersData([
            'message' => (string) $message,
            'delay_seconds' => $this->delay,
        ]));
    }

    /**
     * @deprecated use ack()
     */
    public function complete(): void
    {
        $this->respond(Type::SUCCESS);
    }

    /**
     * @deprecated use nack() or requeue()
     */
    public function fail(string|\Stringable|\Throwable $error, bool $requeue = false): void
    {
        $this->respond(Type::ERROR, $this->withHeadersData([
            'message' => (string) $error,
            'requeue' => $requeue,
            'delay_seconds' => $this->delay,
        ]));
    }

    public function isCompleted(): bool
    {
        return $this->settlement->type !== null;
    }

    public function isSuccessful(): bool
    {
        return \in_array($this->settlement->type, [Type::SUCCESS, Type::ACK], true);
    }

    public function isFails(): bool
    {
        return \in_array($this->settlement->type, [Type::ERROR, Type::NACK, Type::REQUEUE], true);
    }

    public function withDelay(int $seconds): static
    {
        if ($seconds < 0) {
            throw new \InvalidArgumentException(\sprintf('Delay must be 0 or more seconds, got %d', $seconds));
        }

        $self = clone $this;
        $self->delay = $seconds;

        return $self;
    }

    /**
     * @param array<string, mixed> $data
     *
     * @return array<string, mixed>
     */
    private function withHeadersData(array $data): array
    {
        if ($this->headers !== []) {
            // An object, so that header names PHP turned into integer keys still make a JSON object.
            $data['headers'] = (object) $this->headers;
        }

        return $data;
    }

    /**
     * @param array<string, mixed> $data
     *
     * @throws JobsException
     */
    private function respond(int $type, array $data = []): void
    {
        if ($this->settlement->type !== null) {
            return;
        }

        try {
            $body = \json_encode(['type' => $type, 'data' => $data], self::JSON_FLAGS);
        } catch (\JsonException $e) {
            throw new SerializationException($e->getMessage(), $e->getCode(), $e);
        }

        try {
            $this->settlement->worker->respond(new Payload($body));
        } catch (\Throwable $e) {
            throw new JobsException($e->getMessage(), (int) $e->getCode(), $e);
        }

        $this->settlement->type = $type;
    }
}
