<?php

declare(strict_types=1);

namespace RR\Goridge;

/**
 * Marks relays whose reads are not worth polling between stream chunks (pipes).
 *
 * The worker polls such relays for PONG/STOP frames only while it waits for a PONG.
 */
interface BlockingRelayInterface extends RelayInterface
{
}
