<?php

/**
 * The service interface of test.Echo, as protoc-gen-php-grpc would generate it.
 */

declare(strict_types=1);

namespace Test;

use RR\GRPC\ContextInterface;
use RR\GRPC\ServiceInterface;

interface EchoInterface extends ServiceInterface
{
    public const NAME = 'test.Echo';

    public function Say(ContextInterface $ctx, SayRequest $in): SayReply;

    /**
     * @return iterable<CountReply>
     */
    public function Count(ContextInterface $ctx, CountRequest $in): iterable;

    public function Fail(ContextInterface $ctx, FailRequest $in): SayReply;
}
