<?php

declare(strict_types=1);

namespace RR\Goridge\Exception;

/**
 * Base class of every goridge failure (relays, frames, RPC).
 */
class GoridgeException extends \RuntimeException
{
}
