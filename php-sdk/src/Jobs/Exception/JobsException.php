<?php

declare(strict_types=1);

namespace RR\Jobs\Exception;

/**
 * Base of every jobs error (Spiral\RoadRunner\Jobs\Exception\JobsException). An error rr answered
 * an RPC call with arrives as this class, with the {@see \RR\Goridge\Exception\ServiceException}
 * as its previous exception (its getErrorCode() gives rr's `RR_ERR_JOBS_*` code); so do relay
 * failures and a worker that cannot send a task's response.
 *
 * Like the official class it extends \Exception, not \RuntimeException.
 */
class JobsException extends \Exception
{
}
