<?php

declare(strict_types=1);

namespace RR\Jobs\Internal;

use RR\Goridge\RPC\Codec\ProtobufCodec;
use RR\Goridge\RPC\RPCInterface;
use RR\Jobs\Exception\JobsException;

/**
 * The `jobs.*` calls: protobuf codec (flag 0x80) whatever codec the application's client has, and
 * every failure — rr's error (a ServiceException), a relay problem, an argument that cannot be
 * encoded — as a JobsException with the original as previous, as the official client reports them.
 *
 * @internal
 */
final class Rpc
{
    private readonly RPCInterface $rpc;

    public function __construct(RPCInterface $rpc)
    {
        $this->rpc = $rpc->withCodec(new ProtobufCodec());
    }

    /**
     * @param callable(): string $encode builds the argument; what it throws is reported the same way
     *
     * @return string the reply's protobuf bytes
     *
     * @throws JobsException
     */
    public function call(string $method, callable $encode): string
    {
        try {
            $reply = $this->rpc->call($method, $encode());
        } catch (JobsException $e) {
            throw $e;
        } catch (\Throwable $e) {
            throw new JobsException($e->getMessage(), (int) $e->getCode(), $e);
        }

        if (!\is_string($reply)) {
            throw new JobsException(\sprintf('%s: the RPC client returned %s instead of the protobuf bytes', $method, \get_debug_type($reply)));
        }

        return $reply;
    }
}
