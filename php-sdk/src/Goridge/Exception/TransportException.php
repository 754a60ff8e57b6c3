<?php

declare(strict_types=1);

namespace RR\Goridge\Exception;

/**
 * Reading or writing frames failed: I/O error, peer closed the connection, malformed frame.
 */
class TransportException extends RelayException
{
}
