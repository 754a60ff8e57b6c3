<?php

declare(strict_types=1);

namespace RR\Tests\Support;

/**
 * The golden frames shared with the TypeScript goridge tests (packages/goridge/test/vectors).
 */
final class Vectors
{
    public const DIR = __DIR__ . '/../../../packages/goridge/test/vectors';

    /**
     * @return array<string, array{name: string, description: string, hex: string, frame: array{version: int, flags: int, byte10: int, options: list<int>, payloadHex: string, payloadLength: int, crc: int}}>
     */
    public static function all(): array
    {
        $json = \file_get_contents(self::DIR . '/frames.json');
        if ($json === false) {
            throw new \RuntimeException('Cannot read ' . self::DIR . '/frames.json');
        }

        /** @var array{vectors: list<array{name: string, description: string, hex: string, frame: array{version: int, flags: int, byte10: int, options: list<int>, payloadHex: string, payloadLength: int, crc: int}}>} $data */
        $data = \json_decode($json, true, 512, \JSON_THROW_ON_ERROR);

        $byName = [];
        foreach ($data['vectors'] as $vector) {
            $byName[$vector['name']] = $vector;
        }

        return $byName;
    }

    /** The wire bytes of one vector. */
    public static function bytes(string $name): string
    {
        return (string) \hex2bin(self::all()[$name]['hex']);
    }
}
