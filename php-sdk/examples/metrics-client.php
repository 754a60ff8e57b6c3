<?php

/**
 * Runs metrics operations through rr's RPC (address from RR_RPC, default tcp://127.0.0.1:6001)
 * and prints `true` on its own line for each one that succeeded.
 *
 *     php metrics-client.php <op> [<arg>…] ['|' <op> [<arg>…]]…
 *
 *     php metrics-client.php declare hits counter labels=route help='Hits' '|' add hits 1 /home
 *
 * Operations (the `|` separating them is its own argument):
 *
 *     declare <name> counter|gauge|histogram|summary [namespace=<ns>] [subsystem=<sub>] [help=<text>]
 *             [labels=<a,b>] [buckets=<0.1,1,5>] [objectives=<0.5:0.05,0.9:0.01>]
 *     add|sub|observe|set <name> <value> [<label value>…]
 *     unregister <name>
 *
 * Declaring a name that exists already succeeds, as with the official client. `buckets` only
 * applies to histograms and `objectives` only to summaries.
 *
 * Exit codes: 0 every operation succeeded; 2 an operation threw: after the lines of the operations
 * before it, `ERROR <exception class> <message>` is printed on stdout (on one line) and the rest is
 * skipped; 64 bad usage, before anything is sent.
 */

declare(strict_types=1);

require __DIR__ . '/../autoload.php';

use RR\Goridge\RPC\RPC;
use RR\Metrics\Collector;
use RR\Metrics\Metrics;
use RR\Worker\Environment;

$usage = "usage: php metrics-client.php <op> [<arg>…] ['|' <op> [<arg>…]]…\n";

function metricsUsage(string $problem, string $usage): never
{
    fwrite(STDERR, $problem . "\n" . $usage);
    exit(64);
}

function metricsNumber(string $value, string $usage): float
{
    if (!is_numeric($value)) {
        metricsUsage("'$value' is not a number", $usage);
    }

    return (float) $value;
}

/**
 * @param list<string> $words the arguments after `declare <name> <type>`
 */
function metricsCollector(string $type, array $words, string $usage): Collector
{
    $options = [];
    foreach ($words as $word) {
        $at = strpos($word, '=');
        if ($at === false) {
            metricsUsage("declare options are key=value, got '$word'", $usage);
        }
        $options[substr($word, 0, $at)] = substr($word, $at + 1);
    }
    $list = static fn (string $key): array => ($options[$key] ?? '') === '' ? [] : explode(',', $options[$key]);

    $objectives = [];
    foreach ($list('objectives') as $pair) {
        [$quantile, $error] = explode(':', $pair, 2) + [1 => ''];
        $objectives[$quantile] = metricsNumber($error, $usage);
    }

    try {
        $collector = match ($type) {
            'counter' => Collector::counter(),
            'gauge' => Collector::gauge(),
            'histogram' => Collector::histogram(...array_map(static fn (string $b): float => metricsNumber($b, $usage), $list('buckets'))),
            'summary' => Collector::summary($objectives),
            default => metricsUsage("unknown collector type '$type'", $usage),
        };
    } catch (InvalidArgumentException $e) {
        metricsUsage($e->getMessage(), $usage);
    }

    $unknown = array_diff(array_keys($options), ['namespace', 'subsystem', 'help', 'labels', 'buckets', 'objectives']);
    if ($unknown !== []) {
        metricsUsage('unknown declare option ' . implode(', ', $unknown), $usage);
    }

    return $collector
        ->withNamespace($options['namespace'] ?? '')
        ->withSubsystem($options['subsystem'] ?? '')
        ->withHelp($options['help'] ?? '')
        ->withLabels(...$list('labels'));
}

/**
 * @param list<string> $words the operation's arguments
 *
 * @return Closure(Metrics): void
 */
function metricsOperation(string $op, array $words, string $usage): Closure
{
    $n = count($words);
    switch (true) {
        case $op === 'declare' && $n >= 2:
            $collector = metricsCollector(strtolower($words[1]), array_slice($words, 2), $usage);

            return static fn (Metrics $m) => $m->declare($words[0], $collector);
        case in_array($op, ['add', 'sub', 'observe', 'set'], true) && $n >= 2:
            $value = metricsNumber($words[1], $usage);

            return static fn (Metrics $m) => $m->{$op}($words[0], $value, array_slice($words, 2));
        case $op === 'unregister' && $n === 1:
            return static fn (Metrics $m) => $m->unregister($words[0]);
        default:
            metricsUsage(rtrim("unknown operation or wrong number of arguments: $op " . implode(' ', $words)), $usage);
    }
}

$args = array_slice($argv, 1);
if ($args === []) {
    metricsUsage('at least one operation is needed', $usage);
}

// Every operation is checked before the first is sent.
$operations = [];
$words = [];
foreach ([...$args, '|'] as $arg) {
    if ($arg !== '|') {
        $words[] = $arg;
        continue;
    }
    if ($words === []) {
        metricsUsage('empty operation', $usage);
    }
    $operations[] = metricsOperation(strtolower((string) array_shift($words)), $words, $usage);
    $words = [];
}

$metrics = new Metrics(RPC::create(Environment::fromGlobals()->getRPCAddress()));

foreach ($operations as $operation) {
    try {
        $operation($metrics);
    } catch (Throwable $e) {
        echo 'ERROR ', $e::class, ' ', str_replace(["\r", "\n"], ' ', $e->getMessage()), "\n";
        exit(2);
    }
    echo "true\n";
}
