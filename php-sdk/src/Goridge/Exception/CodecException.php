<?php

declare(strict_types=1);

namespace RR\Goridge\Exception;

/**
 * An RPC codec could not encode the argument or decode the reply.
 */
class CodecException extends RPCException
{
}
