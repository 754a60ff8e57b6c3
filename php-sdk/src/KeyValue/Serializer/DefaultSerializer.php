<?php

declare(strict_types=1);

namespace RR\KeyValue\Serializer;

use RR\KeyValue\Exception\SerializationException;
use RR\KeyValue\Internal\ErrorGuard;

/**
 * PHP's serialize()/unserialize() (Spiral\RoadRunner\KeyValue\Serializer\DefaultSerializer).
 *
 * `$allowedClasses` is unserialize()'s `allowed_classes` option: `true` (default, as the official
 * serializer) restores any class, `false` none, a list only those; other objects come back as
 * `__PHP_Incomplete_Class`. Restrict it when the storage may hold bytes you did not write.
 */
final class DefaultSerializer implements SerializerInterface
{
    /**
     * @param bool|list<class-string> $allowedClasses
     */
    public function __construct(
        private readonly bool|array $allowedClasses = true,
    ) {
    }

    public function serialize(mixed $value): string
    {
        return ErrorGuard::run('Unable to serialize the value', static fn (): string => \serialize($value));
    }

    public function unserialize(string $value): mixed
    {
        // unserialize('') answers false without any notice; serialize() never writes ''.
        if ($value === '') {
            throw new SerializationException('Unable to unserialize the value: empty input');
        }
        $options = ['allowed_classes' => $this->allowedClasses];

        return ErrorGuard::run('Unable to unserialize the value', static fn (): mixed => \unserialize($value, $options));
    }
}
