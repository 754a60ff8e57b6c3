<?php

declare(strict_types=1);

namespace RR\GRPC;

/**
 * The call context (Spiral\RoadRunner\GRPC\ContextInterface): the incoming metadata, lower-case
 * keys → lists of strings (plus `:peer.address`, and `:peer.auth-type` over TLS), and the
 * {@see ResponseHeaders} / {@see ResponseTrailers} of the answer under their class names.
 */
interface ContextInterface
{
    /** A copy with one more value. */
    public function withValue(string $key, mixed $value): self;

    /** A value, e.g. `getValue('authorization')` → `['Bearer …']`; $default when absent. */
    public function getValue(string $key, mixed $default = null): mixed;

    /** @return array<string, mixed> */
    public function getValues(): array;
}
