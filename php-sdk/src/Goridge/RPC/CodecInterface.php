<?php

declare(strict_types=1);

namespace RR\Goridge\RPC;

use RR\Goridge\Exception\CodecException;

/**
 * Encodes RPC arguments and decodes replies (Spiral\Goridge\RPC\CodecInterface).
 */
interface CodecInterface
{
    /**
     * The frame flag announcing this encoding (one of Frame::CODEC_*).
     */
    public function getIndex(): int;

    /**
     * @throws CodecException
     */
    public function encode(mixed $payload): string;

    /**
     * @param mixed $options codec-specific decoding hints
     *
     * @throws CodecException
     */
    public function decode(string $payload, mixed $options = null): mixed;
}
