<?php

declare(strict_types=1);

namespace RR\Goridge\Exception;

/**
 * A relay could not be created, connected or closed.
 */
class RelayException extends GoridgeException
{
}
