<?php

declare(strict_types=1);

namespace RR\GRPC\Exception;

use RR\GRPC\StatusCode;

/**
 * Status INTERNAL: the request could not be decoded or the method returned something that is not a message.
 */
class InvokeException extends GRPCException
{
    protected const CODE = StatusCode::INTERNAL;
}
