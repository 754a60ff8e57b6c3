<?php

declare(strict_types=1);

namespace RR\Goridge\RPC;

use RR\Goridge\Exception\RPCException;
use RR\Goridge\Exception\ServiceException;
use RR\Goridge\Frame;
use RR\Goridge\Relay;
use RR\Goridge\RelayInterface;
use RR\Goridge\RPC\Codec\JsonCodec;

/**
 * RPC client over goridge frames (Spiral\Goridge\RPC\RPC).
 *
 * Request: flags = codec bit, options `[seq, strlen(method)]`, payload `method ‖ encoded argument`.
 * Response: exactly two options, option 0 echoing `seq`; ERROR flag → {@see ServiceException}.
 *
 * The sequence number is shared by every RPC instance of the process (as in the official SDK): it
 * starts at 1 and advances once a response frame passed the checks, including error responses.
 *
 * ```php
 * $rpc = RPC::create('tcp://127.0.0.1:6001');
 * $workers = $rpc->call('informer.Workers', 'http');
 * $metrics = $rpc->withServicePrefix('metrics');
 * $metrics->call('add', ['name' => 'hits', 'value' => 1]);   // calls metrics.Add
 * ```
 */
class RPC implements RPCInterface
{
    /** Next sequence number, shared process-wide. */
    private static int $seq = 1;

    private CodecInterface $codec;

    private ?string $service = null;

    public function __construct(
        private readonly RelayInterface $relay,
        ?CodecInterface $codec = null,
    ) {
        $this->codec = $codec ?? new JsonCodec();
    }

    /**
     * Creates a client over `Relay::create($connection)` (tcp://host:port or unix:///path).
     */
    public static function create(string $connection, ?CodecInterface $codec = null): self
    {
        return new self(Relay::create($connection), $codec);
    }

    public function withServicePrefix(string $service): self
    {
        $rpc = clone $this;
        $rpc->service = $service;

        return $rpc;
    }

    public function withCodec(CodecInterface $codec): self
    {
        $rpc = clone $this;
        $rpc->codec = $codec;

        return $rpc;
    }

    public function getRelay(): RelayInterface
    {
        return $this->relay;
    }

    public function getCodec(): CodecInterface
    {
        return $this->codec;
    }

    public function call(string $method, mixed $payload, mixed $options = null): mixed
    {
        if ($this->service !== null) {
            $method = $this->service . '.' . \ucfirst($method);
        }

        $seq = self::$seq;
        $this->relay->send(new Frame(
            $method . $this->codec->encode($payload),
            [$seq, \strlen($method)],
            $this->codec->getIndex(),
        ));

        $frame = $this->relay->waitFrame();

        if (\count($frame->options) !== 2) {
            throw new RPCException('Invalid RPC frame, options missing');
        }

        if ($frame->options[0] !== $seq) {
            throw new RPCException('Invalid RPC frame, sequence mismatch');
        }

        self::$seq = $seq >= 0xFFFFFFFF ? 1 : $seq + 1;

        // The reply starts with the echoed method name.
        $body = \substr((string) $frame->payload, $frame->options[1]);

        if ($frame->hasFlag(Frame::ERROR)) {
            $name = $this->relay instanceof \Stringable ? (string) $this->relay : $this->relay::class;

            throw ServiceException::fromServiceError($body, $name);
        }

        return $this->codec->decode($body, $options);
    }
}
