<?php

declare(strict_types=1);

namespace RR\Goridge;

use RR\Goridge\Exception\RelayException;
use RR\Goridge\Exception\TransportException;

/**
 * A bidirectional channel carrying goridge frames (Spiral\Goridge\RelayInterface).
 */
interface RelayInterface
{
    /**
     * Whether at least one byte of a next frame can be read right now without blocking.
     *
     * @throws RelayException
     */
    public function hasFrame(): bool;

    /**
     * Blocks until one complete frame arrived, reading across short reads; verifies the header CRC.
     *
     * @throws RelayException
     * @throws TransportException when the peer closed the channel, I/O failed or the header is invalid
     */
    public function waitFrame(): Frame;

    /**
     * Writes one frame with a single write call (continuing only if the OS accepted part of it).
     *
     * @throws RelayException
     * @throws TransportException
     */
    public function send(Frame $frame): void;
}
