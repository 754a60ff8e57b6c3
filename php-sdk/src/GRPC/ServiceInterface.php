<?php

declare(strict_types=1);

namespace RR\GRPC;

/**
 * Marks a gRPC service implementation (Spiral\RoadRunner\GRPC\ServiceInterface).
 *
 * The service interface generated for a proto service (by protoc-gen-php-grpc, or written by hand)
 * extends this one, declares `public const NAME = '<package>.<Service>'` and one method per RPC:
 * `public function Say(ContextInterface $ctx, SayRequest $in): SayReply;` for a unary method, or a
 * method returning `iterable` (usually a `\Generator` of reply messages) for a server-streaming one.
 */
interface ServiceInterface
{
}
