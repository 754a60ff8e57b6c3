<?php

declare(strict_types=1);

namespace RR\Goridge;

use RR\Goridge\Exception\RelayException;

/**
 * A relay over a connection that is opened lazily and can be closed (socket relays).
 */
interface ConnectedRelayInterface extends RelayInterface
{
    public function isConnected(): bool;

    /**
     * Connects unless already connected.
     *
     * @throws RelayException
     */
    public function connect(): bool;

    /**
     * @throws RelayException when not connected
     */
    public function close(): void;
}
