<?php

declare(strict_types=1);

namespace RR\GRPC\Exception;

/**
 * An exception that answers the call with a gRPC status (Spiral\RoadRunner\GRPC\Exception\GRPCExceptionInterface):
 * `getCode()` is the status code, `getMessage()` its message, `getDetails()` the details.
 */
interface GRPCExceptionInterface extends \Throwable
{
    /**
     * @return list<object> {@see \RR\GRPC\Any} values, google `Any` objects (getTypeUrl()/getValue())
     *                      or message objects (packed under their protobuf name, see {@see \RR\GRPC\Internal\StatusEncoder})
     */
    public function getDetails(): array;
}
