<?php

declare(strict_types=1);

namespace RR\GRPC\Internal;

use RR\Goridge\Internal\ProtobufWriter;
use RR\GRPC\Any;

/**
 * Encodes `google.rpc.Status` {1: int32 code, 2: string message, 3: repeated google.protobuf.Any details}
 * without google/protobuf, the error rr turns into the call's status (PROTOCOL §7.2/§7.3).
 *
 * @internal
 */
final class StatusEncoder
{
    /**
     * @param list<object> $details
     */
    public static function encode(int $code, string $message, array $details = []): string
    {
        $out = ProtobufWriter::int(1, $code) . ProtobufWriter::string(2, $message);
        foreach ($details as $detail) {
            [$typeUrl, $value] = self::any($detail);
            $out .= ProtobufWriter::lengthDelimited(3, ProtobufWriter::string(1, $typeUrl) . ProtobufWriter::string(2, $value));
        }

        return $out;
    }

    /**
     * A detail as [type URL, bytes]: an {@see Any}, a google `Any` (getTypeUrl()/getValue()), or a
     * message object packed under its protobuf full name (from google/protobuf's descriptor pool when
     * that runtime is loaded, else a `PROTO_NAME` class constant, else the class name with dots).
     *
     * @return array{string, string}
     */
    public static function any(object $detail): array
    {
        if ($detail instanceof Any) {
            return [$detail->typeUrl, $detail->value];
        }
        if (\method_exists($detail, 'getTypeUrl') && \method_exists($detail, 'getValue')) {
            return [(string) $detail->getTypeUrl(), (string) $detail->getValue()];
        }
        if (!\method_exists($detail, 'serializeToString')) {
            throw new \InvalidArgumentException(\sprintf('a gRPC error detail must be a message or an Any, got %s', $detail::class));
        }

        return ['type.googleapis.com/' . self::fullName($detail), (string) $detail->serializeToString()];
    }

    private static function fullName(object $message): string
    {
        $pool = 'Google\\Protobuf\\Internal\\DescriptorPool';
        if (\class_exists($pool, false)) {
            $descriptor = $pool::getGeneratedPool()->getDescriptorByClassName($message::class);
            if ($descriptor !== null) {
                return (string) $descriptor->getFullName();
            }
        }
        $constant = $message::class . '::PROTO_NAME';
        if (\defined($constant)) {
            return (string) \constant($constant);
        }

        return \str_replace('\\', '.', $message::class);
    }
}
