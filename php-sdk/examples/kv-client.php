<?php

/**
 * Runs kv operations on one storage through rr's RPC (address from RR_RPC, default
 * tcp://127.0.0.1:6001) and prints one JSON line per operation.
 *
 *     php kv-client.php [--serializer=default|igbinary|raw] <storage> <op> [<arg>…] ['|' <op> [<arg>…]]…
 *
 *     php kv-client.php memory set k v 5 '|' get k '|' ttl k '|' has k '|' delete k '|' getmultiple a b
 *
 * Operations (the `|` separating them is its own argument) and what they print:
 *
 *     set <key> <value> [<ttl>]                       true; ttl in seconds, 0 or less deletes
 *     setmultiple <key> <value> [<key> <value>…] [<ttl>]  true
 *     get <key> [<default>]                           the value; the default (null) when missing
 *     getmultiple <key>…                              {"<key>": value or null, …}
 *     has <key>                                       true or false
 *     delete <key>                                    true
 *     deletemultiple <key>…                           true
 *     ttl <key>                                       "2026-11-23T17:00:00+00:00", null without expiry or key
 *     ttlmultiple <key>…                              {"<key>": deadline or null, …}
 *     expire <key> <ttl>                              true (kv.MExpire; 0 or less deletes)
 *     clear                                           true
 *
 * Values are strings. The default serializer stores them PHP-serialized, as the official client
 * does; `raw` stores the bytes as given (and reads any bytes back as a string), so other clients
 * can share the values.
 *
 * Exit codes: 0 every operation succeeded; 2 an operation threw: after the lines of the operations
 * before it, `ERROR <exception class> <message>` is printed on stdout (on one line) and the rest is
 * skipped; 64 bad usage, before anything is sent.
 */

declare(strict_types=1);

require __DIR__ . '/../autoload.php';

use RR\Goridge\RPC\RPC;
use RR\KeyValue\Cache;
use RR\KeyValue\Exception\SerializationException;
use RR\KeyValue\Factory;
use RR\KeyValue\Serializer\DefaultSerializer;
use RR\KeyValue\Serializer\IgbinarySerializer;
use RR\KeyValue\Serializer\SerializerInterface;
use RR\KeyValue\StorageInterface;
use RR\Worker\Environment;

$usage = "usage: php kv-client.php [--serializer=default|igbinary|raw] <storage> <op> [<arg>…] ['|' <op> [<arg>…]]…\n";

function kvUsage(string $problem, string $usage): never
{
    fwrite(STDERR, $problem . "\n" . $usage);
    exit(64);
}

function kvTtl(string $value, string $usage): int
{
    if (preg_match('/^-?\d+$/', $value) !== 1) {
        kvUsage("ttl must be whole seconds, got '$value'", $usage);
    }

    return (int) $value;
}

/**
 * @param iterable<string, mixed> $pairs
 */
function kvMap(iterable $pairs): object
{
    // An object, so that keys such as "0" stay keys instead of making a JSON list.
    $map = new stdClass();
    foreach ($pairs as $key => $value) {
        $map->{$key} = $value instanceof DateTimeInterface ? $value->format(DateTimeInterface::RFC3339) : $value;
    }

    return $map;
}

/**
 * @param list<string> $words the operation's arguments
 *
 * @return Closure(StorageInterface): mixed
 */
function kvOperation(string $op, array $words, string $usage): Closure
{
    $n = count($words);
    switch (true) {
        case $op === 'set' && ($n === 2 || $n === 3):
            $ttl = $n === 3 ? kvTtl($words[2], $usage) : null;

            return static fn (StorageInterface $s) => $s->set($words[0], $words[1], $ttl);
        case $op === 'setmultiple' && $n >= 2:
            $ttl = $n % 2 === 1 ? kvTtl((string) array_pop($words), $usage) : null;
            $values = [];
            foreach (array_chunk($words, 2) as [$key, $value]) {
                $values[$key] = $value;
            }

            return static fn (StorageInterface $s) => $s->setMultiple($values, $ttl);
        case $op === 'get' && ($n === 1 || $n === 2):
            return static fn (StorageInterface $s) => $s->get($words[0], $words[1] ?? null);
        case $op === 'getmultiple' && $n >= 1:
            return static fn (StorageInterface $s) => kvMap($s->getMultiple($words));
        case $op === 'has' && $n === 1:
            return static fn (StorageInterface $s) => $s->has($words[0]);
        case $op === 'delete' && $n === 1:
            return static fn (StorageInterface $s) => $s->delete($words[0]);
        case $op === 'deletemultiple' && $n >= 1:
            return static fn (StorageInterface $s) => $s->deleteMultiple($words);
        case $op === 'ttl' && $n === 1:
            return static fn (StorageInterface $s) => $s->getTtl($words[0])?->format(DateTimeInterface::RFC3339);
        case $op === 'ttlmultiple' && $n >= 1:
            return static fn (StorageInterface $s) => kvMap($s->getMultipleTtl($words));
        case $op === 'expire' && $n === 2:
            $ttl = kvTtl($words[1], $usage);

            // expire() is an rr extension of Cache, not part of StorageInterface.
            return static fn (StorageInterface $s) => $s instanceof Cache ? $s->expire($words[0], $ttl) : throw new LogicException('expire needs RR\\KeyValue\\Cache');
        case $op === 'clear' && $n === 0:
            return static fn (StorageInterface $s) => $s->clear();
        default:
            kvUsage(rtrim("unknown operation or wrong number of arguments: $op " . implode(' ', $words)), $usage);
    }
}

$args = array_slice($argv, 1);
$serializerName = 'default';
if (isset($args[0]) && str_starts_with($args[0], '--serializer=')) {
    $serializerName = substr((string) array_shift($args), 13);
}
$storageName = array_shift($args);
if ($storageName === null || $storageName === '' || $args === []) {
    kvUsage('a storage and at least one operation are needed', $usage);
}

$serializer = match ($serializerName) {
    'default' => new DefaultSerializer(),
    'igbinary' => new IgbinarySerializer(),
    'raw' => new class () implements SerializerInterface {
        public function serialize(mixed $value): string
        {
            if (!is_string($value)) {
                throw new SerializationException('the raw serializer stores strings only, got ' . get_debug_type($value));
            }

            return $value;
        }

        public function unserialize(string $value): string
        {
            return $value;
        }
    },
    default => kvUsage("unknown serializer '$serializerName'", $usage),
};

// Every operation is checked before the first is sent.
$operations = [];
$words = [];
foreach ([...$args, '|'] as $arg) {
    if ($arg !== '|') {
        $words[] = $arg;
        continue;
    }
    if ($words === []) {
        kvUsage('empty operation', $usage);
    }

    $operations[] = kvOperation(strtolower((string) array_shift($words)), $words, $usage);
    $words = [];
}

$storage = (new Factory(RPC::create(Environment::fromGlobals()->getRPCAddress()), $serializer))->select($storageName);

foreach ($operations as $operation) {
    try {
        $result = $operation($storage);
    } catch (Throwable $e) {
        echo 'ERROR ', $e::class, ' ', str_replace(["\r", "\n"], ' ', $e->getMessage()), "\n";
        exit(2);
    }

    echo json_encode(
        $result,
        JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE | JSON_PRESERVE_ZERO_FRACTION | JSON_INVALID_UTF8_SUBSTITUTE | JSON_PARTIAL_OUTPUT_ON_ERROR,
    ), "\n";
}
