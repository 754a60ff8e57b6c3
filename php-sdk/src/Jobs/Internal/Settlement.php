<?php

declare(strict_types=1);

namespace RR\Jobs\Internal;

use RR\Worker\WorkerInterface;

/**
 * The one answer a delivery gets. A received task and every copy withDelay()/withHeader() make of
 * it hold the same instance, so whichever of them answers, the others know: a second response
 * frame would be read by rr as the answer to the next job this worker is given.
 *
 * @internal
 */
final class Settlement
{
    /** The response type sent, null while unanswered. */
    public ?int $type = null;

    public function __construct(public readonly WorkerInterface $worker)
    {
    }
}
