<?php

/**
 * One benchmark client process: runs one operation in a loop for a fixed time and prints
 * {"ops":N,"seconds":S} on stdout.
 *
 *     php kv-bench.php rr <rpc address> <storage> <set|get> <seconds> <value bytes> <key prefix>
 *     php kv-bench.php phpredis <host:port> - <set|get> <seconds> <value bytes> <key prefix>
 *
 * `rr` goes through php-sdk's KV client (RR\KeyValue, PSR-16) over rr's kv RPC: the path a PHP app
 * takes. `phpredis` talks to Redis directly with the phpredis extension: the peer an app would use
 * without rr. Both store the same bytes under the same 1 000 keys, so get hits every time.
 */

declare(strict_types=1);

require __DIR__ . '/../../../php-sdk/autoload.php';

[, $mode, $address, $storage, $op, $seconds, $size, $prefix] = $argv;
$seconds = (float) $seconds;
$value = str_repeat('v', (int) $size);
$keys = 1000;

if ($mode === 'rr') {
    $cache = (new RR\KeyValue\Factory(RR\Goridge\RPC\RPC::create($address)))->select($storage);
    // Raw bytes, as phpredis stores them: the comparison is about transport, not serialization.
    $cache = $cache->withSerializer(new class () implements RR\KeyValue\Serializer\SerializerInterface {
        public function serialize(mixed $value): string
        {
            return (string) $value;
        }

        public function unserialize(string $value): mixed
        {
            return $value;
        }
    });
    $set = static fn (string $k) => $cache->set($k, $value);
    $get = static fn (string $k) => $cache->get($k);
} elseif ($mode === 'phpredis') {
    [$host, $port] = explode(':', $address);
    $redis = new Redis();
    $redis->connect($host, (int) $port);
    $set = static fn (string $k) => $redis->set($k, $value);
    $get = static fn (string $k) => $redis->get($k);
} else {
    fwrite(STDERR, "unknown mode $mode\n");
    exit(64);
}

for ($i = 0; $i < $keys; $i++) {
    $set($prefix . $i);
}

$fn = $op === 'set' ? $set : $get;
$ops = 0;
$start = hrtime(true);
$deadline = $start + (int) ($seconds * 1e9);
do {
    // 100 calls between clock reads keep hrtime out of the measurement.
    for ($j = 0; $j < 100; $j++) {
        $fn($prefix . (($ops + $j) % $keys));
    }
    $ops += 100;
    $now = hrtime(true);
} while ($now < $deadline);

if ($op === 'get' && $fn($prefix . '0') !== $value) {
    fwrite(STDERR, "get returned a different value\n");
    exit(1);
}
echo json_encode(['ops' => $ops, 'seconds' => ($now - $start) / 1e9]), "\n";
