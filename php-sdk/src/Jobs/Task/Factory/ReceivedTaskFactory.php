<?php

declare(strict_types=1);

namespace RR\Jobs\Task\Factory;

use RR\Jobs\Exception\ReceivedTaskException;
use RR\Jobs\Exception\SerializationException;
use RR\Jobs\Queue\Driver;
use RR\Jobs\Task\KafkaReceivedTask;
use RR\Jobs\Task\ReceivedTask;
use RR\Jobs\Task\ReceivedTaskInterface;
use RR\Worker\Payload;
use RR\Worker\WorkerInterface;

/**
 * Builds a task from a delivery (Spiral\RoadRunner\Jobs\Task\Factory\ReceivedTaskFactory): the
 * context is the JSON object of PROTOCOL.md §6.1, the body the payload as pushed.
 *
 * Read as the official factory reads it: `id`, `job`, `headers` (null or missing → none),
 * `driver` (missing or not a known driver → {@see Driver::Unknown}), `queue` and `pipeline`
 * (missing → `unknown`), and for kafka `partition` and `offset`. Unlike the official factory,
 * a context without a string `id` and `job`, or with headers that are not name → string(s), is
 * refused with ReceivedTaskException instead of failing with a PHP TypeError; a header given as a
 * single string becomes a list of one.
 */
final class ReceivedTaskFactory implements ReceivedTaskFactoryInterface
{
    public function __construct(private readonly WorkerInterface $worker)
    {
    }

    public function create(Payload $payload): ReceivedTaskInterface
    {
        $context = self::context($payload->header);

        $id = self::requiredString($context, 'id');
        $job = self::requiredString($context, 'job');
        $headers = self::headers($context['headers'] ?? null);
        $driver = \is_string($context['driver'] ?? null) ? (Driver::tryFrom($context['driver']) ?? Driver::Unknown) : Driver::Unknown;
        $queue = self::optionalString($context, 'queue');
        $pipeline = self::optionalString($context, 'pipeline');

        if ($driver === Driver::Kafka) {
            return new KafkaReceivedTask(
                $this->worker,
                $id,
                $pipeline,
                $job,
                $queue,
                self::optionalInt($context, 'partition'),
                self::optionalInt($context, 'offset'),
                $payload->body,
                $headers,
            );
        }

        return new ReceivedTask($this->worker, $id, $driver, $pipeline, $job, $queue, $payload->body, $headers);
    }

    /**
     * @return array<array-key, mixed>
     */
    private static function context(string $header): array
    {
        if ($header === '') {
            throw new ReceivedTaskException('Task payload does not have a valid header.');
        }

        try {
            $context = \json_decode($header, true, 512, \JSON_THROW_ON_ERROR);
        } catch (\JsonException $e) {
            throw new SerializationException($e->getMessage(), $e->getCode(), $e);
        }

        if (!\is_array($context)) {
            throw new ReceivedTaskException(\sprintf('Task header must be a JSON object, got %s', \get_debug_type($context)));
        }

        return $context;
    }

    /**
     * @param array<array-key, mixed> $context
     */
    private static function requiredString(array $context, string $key): string
    {
        $value = $context[$key] ?? null;
        if (!\is_string($value) || $value === '') {
            throw new ReceivedTaskException(\sprintf('Task header has no "%s" (a non-empty string), got %s', $key, \get_debug_type($value)));
        }

        return $value;
    }

    /**
     * @param array<array-key, mixed> $context
     */
    private static function optionalString(array $context, string $key): string
    {
        $value = $context[$key] ?? 'unknown';

        return \is_scalar($value) ? (string) $value : 'unknown';
    }

    /**
     * @param array<array-key, mixed> $context
     */
    private static function optionalInt(array $context, string $key): int
    {
        $value = $context[$key] ?? 0;

        return \is_numeric($value) ? (int) $value : 0;
    }

    /**
     * @return array<string, list<string>>
     */
    private static function headers(mixed $headers): array
    {
        if ($headers === null) {
            return [];
        }
        if (!\is_array($headers)) {
            throw new ReceivedTaskException(\sprintf('Task header "headers" must be an object, got %s', \get_debug_type($headers)));
        }

        $out = [];
        foreach ($headers as $name => $values) {
            $values = \is_array($values) ? $values : [$values];
            $out[$name] = [];
            foreach ($values as $value) {
                if (!\is_scalar($value)) {
                    throw new ReceivedTaskException(\sprintf('Task header "%s" must hold strings, got %s', $name, \get_debug_type($value)));
                }
                $out[$name][] = (string) $value;
            }
        }

        /** @var array<string, list<string>> $out */
        return $out;
    }
}
