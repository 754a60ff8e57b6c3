<?php

declare(strict_types=1);

namespace RR\Goridge\Internal;

/**
 * Bytes that are not a valid protobuf message. Clients catch it and rethrow their own exception
 * type, so it never reaches application code.
 *
 * @internal
 */
final class ProtobufException extends \RuntimeException
{
    /**
     * @param string $type   the message being decoded, e.g. `jobs.v1.Stats`
     * @param string $detail what is wrong and where
     */
    public function __construct(public readonly string $type, public readonly string $detail)
    {
        parent::__construct(\sprintf('Invalid protobuf %s: %s', $type, $detail));
    }
}
