<?php

declare(strict_types=1);

namespace RR\GRPC\Exception;

use RR\GRPC\StatusCode;

/**
 * Status INTERNAL: a service failed.
 */
class ServiceException extends GRPCException
{
    protected const CODE = StatusCode::INTERNAL;
}
