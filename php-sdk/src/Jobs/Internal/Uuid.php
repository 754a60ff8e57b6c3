<?php

declare(strict_types=1);

namespace RR\Jobs\Internal;

/**
 * Job ids: random (version 4) UUIDs in the lower-case hyphenated form, as ramsey/uuid's uuid4()
 * gives the official client.
 *
 * @internal
 */
final class Uuid
{
    public static function v4(): string
    {
        $bytes = \random_bytes(16);
        $bytes[6] = \chr((\ord($bytes[6]) & 0x0F) | 0x40);
        $bytes[8] = \chr((\ord($bytes[8]) & 0x3F) | 0x80);
        $hex = \bin2hex($bytes);

        return \sprintf('%s-%s-%s-%s-%s', \substr($hex, 0, 8), \substr($hex, 8, 4), \substr($hex, 12, 4), \substr($hex, 16, 4), \substr($hex, 20));
    }
}
