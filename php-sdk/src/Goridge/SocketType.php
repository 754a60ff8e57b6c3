<?php

declare(strict_types=1);

namespace RR\Goridge;

/**
 * Transport of a {@see SocketRelay}.
 */
enum SocketType: int
{
    case TCP = 0;
    case UNIX = 1;
}
