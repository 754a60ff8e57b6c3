<?php

/**
 * gRPC worker serving test.Echo from examples/grpc/echo.proto through RR\GRPC\Server:
 *
 *     grpc:
 *       listen: tcp://127.0.0.1:9001
 *       proto: path/to/php-sdk/examples/grpc/echo.proto
 *       pool: { command: "php path/to/php-sdk/examples/grpc-worker.php" }
 *
 * - Say: reply "hello <text>" and auth_type = the :peer.auth-type metadata; header x-echo = the
 *   request's x-echo metadata (when sent); trailer x-said = <text>.
 * - Count: replies i = 1..n (n ≤ 10000), delay_ms apart; header x-count = n; trailer x-sent = the
 *   number sent. rr cancelling the stream ends it early.
 * - Fail: a GRPCException with the request's code and message and one detail, SayReply{text: message}
 *   (type test.SayReply); with plain = true a RuntimeException (status INTERNAL).
 */

declare(strict_types=1);

require __DIR__ . '/../autoload.php';
require __DIR__ . '/grpc/messages.php';
require __DIR__ . '/grpc/EchoInterface.php';

use RR\GRPC\ContextInterface;
use RR\GRPC\Exception\GRPCException;
use RR\GRPC\ResponseHeaders;
use RR\GRPC\ResponseTrailers;
use RR\GRPC\Server;
use Test\CountReply;
use Test\CountRequest;
use Test\EchoInterface;
use Test\FailRequest;
use Test\SayReply;
use Test\SayRequest;

final class EchoService implements EchoInterface
{
    public function Say(ContextInterface $ctx, SayRequest $in): SayReply
    {
        $echo = $ctx->getValue('x-echo');
        if (\is_array($echo) && isset($echo[0])) {
            $ctx->getValue(ResponseHeaders::class)->set('x-echo', (string) $echo[0]);
        }
        $ctx->getValue(ResponseTrailers::class)->set('x-said', $in->getText());
        $auth = $ctx->getValue(':peer.auth-type');

        return (new SayReply())->setText('hello ' . $in->getText())->setAuthType(\is_array($auth) ? (string) ($auth[0] ?? '') : '');
    }

    public function Count(ContextInterface $ctx, CountRequest $in): iterable
    {
        $n = \max(0, \min(10000, $in->getN()));
        $ctx->getValue(ResponseHeaders::class)->set('x-count', (string) $n);
        $sent = 0;
        try {
            for ($i = 1; $i <= $n; $i++) {
                if ($i > 1 && $in->getDelayMs() > 0) {
                    \usleep($in->getDelayMs() * 1000);
                }
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

$server = new Server();
$server->registerService(EchoInterface::class, new EchoService());
$server->serve();
