<?php

declare(strict_types=1);

namespace RR\Goridge\Exception;

/**
 * Relay::create() was given an address it cannot parse.
 */
class RelayFactoryException extends RelayException
{
}
