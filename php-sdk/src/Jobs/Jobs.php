<?php

declare(strict_types=1);

namespace RR\Jobs;

use RR\Goridge\RPC\RPCInterface;
use RR\Jobs\Exception\JobsException;
use RR\Jobs\Internal\Protocol;
use RR\Jobs\Internal\Rpc;
use RR\Jobs\Queue\CreateInfoInterface;

/**
 * The producer side of rr's jobs plugin over RPC (Spiral\RoadRunner\Jobs\Jobs). Every call uses the
 * protobuf codec (frame flag 0x80) and hand-encoded `jobs.v1` messages (PROTOCOL.md §5.5, §5.6),
 * whatever codec the given client has.
 *
 * ```php
 * $jobs = new Jobs(RPC::create(Environment::fromGlobals()->getRPCAddress()));
 * $queue = $jobs->create(new MemoryCreateInfo('local'));    // jobs.Declare
 * $queue->dispatch($queue->create('ping', 'hello'));         // jobs.Push
 * $jobs->pause('local');                                     // jobs.Pause
 * foreach ($jobs as $name => $queue) { … }                   // jobs.List
 * ```
 *
 * rr's errors (and relay failures) are JobsException with the original as previous exception.
 */
final class Jobs implements JobsInterface
{
    private readonly RPCInterface $client;

    private readonly Rpc $rpc;

    public function __construct(RPCInterface $rpc)
    {
        $this->client = $rpc;
        $this->rpc = new Rpc($rpc);
    }

    public function connect(string $queue, ?OptionsInterface $options = null): QueueInterface
    {
        return new Queue($queue, $this->client, $options);
    }

    /**
     * Sends `jobs.Declare` with `$info->toArray()` as a string map, then connects to the pipeline
     * with `$options` (by default {@see OptionsFactory::create()} for the driver).
     */
    public function create(CreateInfoInterface $info, ?OptionsInterface $options = null): QueueInterface
    {
        $this->rpc->call('jobs.Declare', static fn (): string => Protocol::declareRequest(self::stringMap($info->toArray())));

        return $this->connect($info->getName(), $options ?? OptionsFactory::create($info->getDriver()));
    }

    public function pause(QueueInterface|string $queue, QueueInterface|string ...$queues): void
    {
        $this->rpc->call('jobs.Pause', static fn (): string => Protocol::pipelines(self::names($queue, ...$queues)));
    }

    public function resume(QueueInterface|string $queue, QueueInterface|string ...$queues): void
    {
        $this->rpc->call('jobs.Resume', static fn (): string => Protocol::pipelines(self::names($queue, ...$queues)));
    }

    /**
     * Removes pipelines (`jobs.Destroy`): they stop consuming and are forgotten. An rr addition.
     *
     * @return list<string> the pipelines rr destroyed
     *
     * @throws JobsException
     */
    public function destroy(QueueInterface|string $queue, QueueInterface|string ...$queues): array
    {
        return Protocol::decodePipelines(
            $this->rpc->call('jobs.Destroy', static fn (): string => Protocol::pipelines(self::names($queue, ...$queues))),
        );
    }

    /**
     * Every pipeline's state (`jobs.Stat`). An rr addition; {@see Queue::getPipelineStat()} gives one.
     *
     * @return list<Stat>
     *
     * @throws JobsException
     */
    public function stat(): array
    {
        return Protocol::decodeStats($this->rpc->call('jobs.Stat', static fn (): string => ''));
    }

    /**
     * @return \Generator<string, QueueInterface>
     *
     * @throws JobsException
     */
    public function getIterator(): \Generator
    {
        // A generator, as in the official client: jobs.List is sent when iteration starts.
        $names = Protocol::decodePipelines($this->rpc->call('jobs.List', static fn (): string => ''));
        foreach ($names as $name) {
            yield $name => $this->connect($name);
        }
    }

    /**
     * @throws JobsException
     */
    public function count(): int
    {
        return \iterator_count($this->getIterator());
    }

    /**
     * @return list<string>
     */
    private static function names(QueueInterface|string ...$queues): array
    {
        return \array_map(static fn (QueueInterface|string $queue): string => $queue instanceof QueueInterface ? $queue->getName() : $queue, \array_values($queues));
    }

    /**
     * The official client's conversion: ints and Stringables as PHP prints them, strings as they
     * are, bools as `true`/`false`, arrays and JsonSerializables as JSON; floats are printed too
     * (an rr addition); anything else is refused.
     *
     * @param array<array-key, mixed> $map
     *
     * @return array<string, string>
     */
    private static function stringMap(array $map): array
    {
        $strings = [];
        foreach ($map as $key => $value) {
            $strings[(string) $key] = match (true) {
                \is_string($value) => $value,
                \is_int($value), \is_float($value), $value instanceof \Stringable => (string) $value,
                \is_bool($value) => $value ? 'true' : 'false',
                \is_array($value), $value instanceof \JsonSerializable => \json_encode($value, \JSON_THROW_ON_ERROR),
                default => throw new \InvalidArgumentException(\sprintf('Can not cast to string unrecognized value of type %s', \get_debug_type($value))),
            };
        }

        /** @var array<string, string> $strings */
        return $strings;
    }
}
