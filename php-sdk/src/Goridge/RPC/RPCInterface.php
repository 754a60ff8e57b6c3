<?php

declare(strict_types=1);

namespace RR\Goridge\RPC;

use RR\Goridge\Exception\GoridgeException;
use RR\Goridge\Exception\RPCException;
use RR\Goridge\Exception\ServiceException;

/**
 * Synchronous RPC client (Spiral\Goridge\RPC\RPCInterface).
 */
interface RPCInterface
{
    /**
     * A copy that prefixes every method: `withServicePrefix('metrics')->call('add', …)` calls `metrics.Add`.
     */
    public function withServicePrefix(string $service): self;

    /**
     * A copy that encodes arguments and decodes replies with `$codec`.
     */
    public function withCodec(CodecInterface $codec): self;

    /**
     * Calls `Service.Method` with `$payload` and returns the decoded reply.
     *
     * @param mixed $options passed to the codec's decode()
     *
     * @throws ServiceException when the server answered with an error
     * @throws RPCException     when the response frame is malformed
     * @throws GoridgeException on transport failures
     */
    public function call(string $method, mixed $payload, mixed $options = null): mixed;
}
