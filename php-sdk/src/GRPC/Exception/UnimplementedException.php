<?php

declare(strict_types=1);

namespace RR\GRPC\Exception;

use RR\GRPC\StatusCode;

/**
 * Status UNIMPLEMENTED: the method exists but is not implemented.
 */
class UnimplementedException extends GRPCException
{
    protected const CODE = StatusCode::UNIMPLEMENTED;
}
