<?php

declare(strict_types=1);

namespace RR\KeyValue\Internal;

use RR\Goridge\Internal\ProtobufException;
use RR\Goridge\Internal\ProtobufReader;
use RR\Goridge\Internal\ProtobufWriter;
use RR\KeyValue\Exception\KeyValueException;

/**
 * The `kv.v1` protobuf messages (roadrunner-server/api `proto/kv/v1/kv.proto`), by hand so that
 * google/protobuf is not needed:
 *
 * ```proto
 * message Request  { string storage = 1; repeated Item items = 2; }
 * message Item     { string key = 1; bytes value = 2; string timeout = 3; }
 * message Response { repeated Item items = 1; }
 * ```
 *
 * Encoding writes what protoc-generated code writes: fields in number order, empty strings left
 * out (proto3 defaults), every item present even when all its fields are empty.
 *
 * Decoding follows protobuf's parsing rules ({@see ProtobufReader}): any field order, the last
 * occurrence of a scalar wins, unknown fields (groups included) and known fields with another wire
 * type are skipped. Truncated or malformed bytes throw KeyValueException.
 *
 * @internal
 */
final class Protocol
{
    /**
     * @param list<Item> $items
     */
    public static function encodeRequest(string $storage, array $items): string
    {
        $out = ProtobufWriter::string(1, $storage);
        foreach ($items as $item) {
            $out .= ProtobufWriter::lengthDelimited(
                2,
                ProtobufWriter::string(1, $item->key) . ProtobufWriter::string(2, $item->value) . ProtobufWriter::string(3, $item->timeout),
            );
        }

        return $out;
    }

    /**
     * @return list<Item>
     *
     * @throws KeyValueException
     */
    public static function decodeResponse(string $bytes): array
    {
        try {
            $items = [];
            foreach (ProtobufReader::fields($bytes, 'kv.v1.Response') as [$field, $wire, $value]) {
                if ($field === 1 && $wire === ProtobufReader::LEN) {
                    $items[] = self::decodeItem((string) $value);
                }
            }

            return $items;
        } catch (ProtobufException $e) {
            throw new KeyValueException(\sprintf('Invalid protobuf %s received from rr: %s', $e->type, $e->detail), 0, $e);
        }
    }

    private static function decodeItem(string $bytes): Item
    {
        $fields = [1 => '', 2 => '', 3 => ''];
        foreach (ProtobufReader::fields($bytes, 'kv.v1.Item') as [$field, $wire, $value]) {
            if (isset($fields[$field]) && $wire === ProtobufReader::LEN) {
                $fields[$field] = (string) $value;
            }
        }

        return new Item($fields[1], $fields[2], $fields[3]);
    }
}
