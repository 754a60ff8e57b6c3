<?php

declare(strict_types=1);

namespace RR\Goridge\Exception;

/**
 * A value handed to a goridge API does not fit (flag > 255, bad port, too many options).
 */
class InvalidArgumentException extends \InvalidArgumentException
{
}
