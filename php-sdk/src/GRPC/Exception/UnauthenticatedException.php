<?php

declare(strict_types=1);

namespace RR\GRPC\Exception;

use RR\GRPC\StatusCode;

/**
 * Status UNAUTHENTICATED: the caller is not authenticated.
 */
class UnauthenticatedException extends GRPCException
{
    protected const CODE = StatusCode::UNAUTHENTICATED;
}
