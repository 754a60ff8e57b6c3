<?php

declare(strict_types=1);

namespace RR\Goridge\Exception;

/**
 * The RPC exchange itself failed (malformed or mismatched response frame).
 */
class RPCException extends GoridgeException
{
}
