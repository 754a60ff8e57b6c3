<?php

declare(strict_types=1);

namespace RR\Goridge\Exception;

/**
 * A frame header is short, malformed or fails its CRC check; the message shows the offending bytes.
 */
class HeaderException extends TransportException
{
}
