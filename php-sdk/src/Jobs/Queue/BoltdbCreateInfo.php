<?php

declare(strict_types=1);

namespace RR\Jobs\Queue;

/**
 * A pipeline in a BoltDB file (Spiral\RoadRunner\Jobs\Queue\BoltdbCreateInfo).
 */
final class BoltdbCreateInfo extends CreateInfo
{
    public const PREFETCH_DEFAULT_VALUE = 10000;
    public const FILE_DEFAULT_VALUE = 'rr.db';
    public const PERMISSIONS_DEFAULT_VALUE = 0755;

    /**
     * @param int $permissions file mode; sent in decimal, as the official client does (0755 → `493`)
     *
     * @throws \InvalidArgumentException on an empty name or file, a priority or prefetch below 1
     */
    public function __construct(
        string $name,
        public readonly string $file = self::FILE_DEFAULT_VALUE,
        int $priority = self::PRIORITY_DEFAULT_VALUE,
        public readonly int $prefetch = self::PREFETCH_DEFAULT_VALUE,
        public readonly int $permissions = self::PERMISSIONS_DEFAULT_VALUE,
    ) {
        parent::__construct(Driver::BoltDB, $name, $priority);
        self::atLeastOne('prefetch', $prefetch);
        self::notEmpty('file', $file);
    }

    /**
     * @return array<string, mixed>
     */
    public function toArray(): array
    {
        return [
            ...parent::toArray(),
            'prefetch' => $this->prefetch,
            'file' => $this->file,
            'permissions' => $this->permissions,
        ];
    }
}
