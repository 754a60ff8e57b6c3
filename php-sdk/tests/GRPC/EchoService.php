<?php

declare(strict_types=1);

namespace RR\Tests\GRPC;

use RR\GRPC\ContextInterface;
use RR\GRPC\Exception\GRPCException;
use RR\GRPC\ResponseHeaders;
use RR\GRPC\ResponseTrailers;
use Test\CountReply;
use Test\CountRequest;
use Test\EchoInterface;
use Test\FailRequest;
use Test\SayReply;
use Test\SayRequest;

/**
 * test.Echo as examples/grpc-worker.php implements it, without its delays.
 */
final class EchoService implements EchoInterface
{
    public function Say(ContextInterface $ctx, SayRequest $in): SayReply
    {
        $echo = $ctx->getValue('x-echo');
        if (\is_array($echo) && isset($echo[0])) {
            $ctx->getValue(ResponseHeaders::class)->set('x-echo', (string) $echo[0]);
        }
        $ctx->getValue(ResponseTrailers::class)->set('x-said', $in->getText());
        $auth = $ctx->getValue(':peer.auth-type', []);

        return (new SayReply())->setText('hello ' . $in->getText())->setAuthType((string) ($auth[0] ?? ''));
    }

    public function Count(ContextInterface $ctx, CountRequest $in): iterable
    {
        $ctx->getValue(ResponseHeaders::class)->set('x-count', (string) $in->getN());
        $sent = 0;
        try {
            for ($i = 1; $i <= $in->getN(); $i++) {
                yield (new CountReply())->setI($i);
                $sent++;
            }
        } finally {
            $ctx->getValue(ResponseTrailers::class)->set('x-sent', (string) $sent);
        }
    }

    public function Fail(ContextInterface $ctx, FailRequest $in): SayReply
    {
        if ($in->getPlain()) {
            throw new \RuntimeException($in->getMessage());
        }

        throw new GRPCException($in->getMessage(), $in->getCode(), [(new SayReply())->setText($in->getMessage())]);
    }
}
