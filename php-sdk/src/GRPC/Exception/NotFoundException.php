<?php

declare(strict_types=1);

namespace RR\GRPC\Exception;

use RR\GRPC\StatusCode;

/**
 * Status NOT_FOUND: a service or method is not registered.
 */
class NotFoundException extends GRPCException
{
    protected const CODE = StatusCode::NOT_FOUND;
}
