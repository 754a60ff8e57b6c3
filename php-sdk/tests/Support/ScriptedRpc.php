<?php

declare(strict_types=1);

namespace RR\Tests\Support;

use RR\Goridge\Exception\ServiceException;
use RR\Goridge\RPC\Codec\JsonCodec;
use RR\Goridge\RPC\CodecInterface;
use RR\Goridge\RPC\RPCInterface;

/**
 * An RPCInterface that behaves like RR\Goridge\RPC\RPC up to the relay: it prefixes methods as
 * withServicePrefix() does, encodes the argument with the current codec (so tests see the exact
 * bytes that would follow the method name in the frame), and decodes scripted reply bodies with
 * that codec. Copies made by withCodec()/withServicePrefix() record into and reply from the original.
 */
final class ScriptedRpc implements RPCInterface
{
    /** @var list<array{method: string, codec: int, body: string}> */
    public array $calls = [];

    /** @var list<string|\Throwable> */
    private array $replies = [];

    private CodecInterface $codec;

    private ?string $service = null;

    private ?ScriptedRpc $root = null;

    public function __construct(?CodecInterface $codec = null)
    {
        $this->codec = $codec ?? new JsonCodec();
    }

    /** Queues the encoded body of the next successful reply. */
    public function reply(string $body): self
    {
        $this->origin()->replies[] = $body;

        return $this;
    }

    /** Queues an error frame with this text, as RPC would surface it. */
    public function fail(string $error): self
    {
        $this->origin()->replies[] = ServiceException::fromServiceError($error, 'tcp://127.0.0.1:6001');

        return $this;
    }

    /** @return list<string> the methods called so far */
    public function methods(): array
    {
        return \array_column($this->origin()->calls, 'method');
    }

    public function withServicePrefix(string $service): self
    {
        $copy = clone $this;
        $copy->service = $service;
        $copy->root = $this->origin();

        return $copy;
    }

    public function withCodec(CodecInterface $codec): self
    {
        $copy = clone $this;
        $copy->codec = $codec;
        $copy->root = $this->origin();

        return $copy;
    }

    public function call(string $method, mixed $payload, mixed $options = null): mixed
    {
        if ($this->service !== null) {
            $method = $this->service . '.' . \ucfirst($method);
        }

        $origin = $this->origin();
        $origin->calls[] = ['method' => $method, 'codec' => $this->codec->getIndex(), 'body' => $this->codec->encode($payload)];

        // Unscripted calls get an empty body, which is what rr answers to kv writes.
        $reply = \array_shift($origin->replies) ?? ($this->codec instanceof JsonCodec ? 'true' : '');
        if ($reply instanceof \Throwable) {
            throw $reply;
        }

        return $this->codec->decode($reply, $options);
    }

    /** Replies scripted but never asked for. */
    public function pending(): int
    {
        return \count($this->origin()->replies);
    }

    private function origin(): self
    {
        return $this->root ?? $this;
    }
}
