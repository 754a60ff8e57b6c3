<?php

/**
 * Talks to rr's jobs plugin over RPC (address from RR_RPC, default tcp://127.0.0.1:6001) and
 * prints the result as JSON on one line.
 *
 *     php jobs-push.php [push] <pipeline> <count> [<payload json>] [--priority N] [--delay S]
 *                       [--auto-ack] [--name <job>] [--header <name>=<value>]… [--batch]
 *         pushes <count> jobs (jobs.Push each, or one jobs.PushBatch with --batch) with the payload
 *         (default {"do":"ack"}) and job name (default rr.test); prints the ids: ["…", …]
 *     php jobs-push.php list                    ["<pipeline>", …]                  (jobs.List)
 *     php jobs-push.php pause <pipeline>…       true                               (jobs.Pause)
 *     php jobs-push.php resume <pipeline>…      true                               (jobs.Resume)
 *     php jobs-push.php stat                    [{"pipeline","driver","queue","active","delayed",
 *                                                 "reserved","ready","priority"}, …] (jobs.Stat)
 *     php jobs-push.php declare '<json map>'    true; the map needs "driver" and "name", every other
 *                                               key is a driver option                (jobs.Declare)
 *     php jobs-push.php destroy <pipeline>…     the pipelines destroyed: ["…", …]   (jobs.Destroy)
 *
 * Exit codes: 0 success; 2 the call threw: `ERROR <exception class> <message>` is printed on stdout
 * (on one line); 64 bad usage, before anything is sent.
 */

declare(strict_types=1);

require __DIR__ . '/../autoload.php';

use RR\Goridge\RPC\RPC;
use RR\Jobs\Jobs;
use RR\Jobs\Options;
use RR\Jobs\Queue\GenericCreateInfo;
use RR\Worker\Environment;

$usage = "usage: php jobs-push.php [push] <pipeline> <count> [<payload json>] [--priority N] [--delay S] [--auto-ack] [--name <job>] [--header <name>=<value>]… [--batch]\n"
    . "       php jobs-push.php list | stat | pause <pipeline>… | resume <pipeline>… | destroy <pipeline>… | declare '<json map>'\n";

function jobsUsage(string $problem, string $usage): never
{
    fwrite(STDERR, $problem . "\n" . $usage);
    exit(64);
}

function jobsWholeNumber(string $what, ?string $value, string $usage): int
{
    if ($value === null || preg_match('/^\d+$/', $value) !== 1) {
        jobsUsage(sprintf('%s must be a whole number, got %s', $what, $value === null ? 'nothing' : "'$value'"), $usage);
    }

    return (int) $value;
}

$args = array_slice($argv, 1);
$command = $args[0] ?? '';

// Every argument is checked before anything is sent.
switch ($command) {
    case 'list':
    case 'stat':
        if (count($args) !== 1) {
            jobsUsage("$command takes no arguments", $usage);
        }
        $run = static function (Jobs $jobs) use ($command): array {
            if ($command === 'stat') {
                return $jobs->stat();
            }
            $names = [];
            // Not iterator_to_array(): PHP would turn a pipeline named "1" into an integer key.
            foreach ($jobs as $queue) {
                $names[] = $queue->getName();
            }

            return $names;
        };
        break;
    case 'pause':
    case 'resume':
    case 'destroy':
        $names = array_slice($args, 1);
        if ($names === [] || in_array('', $names, true)) {
            jobsUsage("$command needs pipeline names", $usage);
        }
        $run = static function (Jobs $jobs) use ($command, $names): array|bool {
            if ($command === 'destroy') {
                return $jobs->destroy(...$names);
            }
            if ($command === 'pause') {
                $jobs->pause(...$names);
            } else {
                $jobs->resume(...$names);
            }

            return true;
        };
        break;
    case 'declare':
        $map = count($args) === 2 ? json_decode($args[1], true) : null;
        if (!is_array($map) || array_is_list($map) || !is_string($map['driver'] ?? null) || !is_string($map['name'] ?? null)) {
            jobsUsage('declare needs one JSON object with string "driver" and "name"', $usage);
        }
        $driver = $map['driver'];
        $name = $map['name'];
        unset($map['driver'], $map['name']);
        try {
            $info = new GenericCreateInfo($driver, $name, $map);
        } catch (InvalidArgumentException $e) {
            jobsUsage($e->getMessage(), $usage);
        }
        $run = static function (Jobs $jobs) use ($info): bool {
            $jobs->create($info);

            return true;
        };
        break;
    default:
        if ($command === 'push') {
            array_shift($args);
        }
        $positional = [];
        $options = new Options();
        $headers = [];
        $name = 'rr.test';
        $batch = false;
        while ($args !== []) {
            $arg = (string) array_shift($args);
            switch ($arg) {
                case '--priority':
                    $options = $options->withPriority(jobsWholeNumber('--priority', array_shift($args), $usage));
                    break;
                case '--delay':
                    $options = $options->withDelay(jobsWholeNumber('--delay', array_shift($args), $usage));
                    break;
                case '--auto-ack':
                    $options = $options->withAutoAck(true);
                    break;
                case '--batch':
                    $batch = true;
                    break;
                case '--name':
                    $name = (string) array_shift($args);
                    break;
                case '--header':
                    $headers[] = explode('=', (string) array_shift($args), 2);
                    break;
                default:
                    if (str_starts_with($arg, '--')) {
                        jobsUsage("unknown option $arg", $usage);
                    }
                    $positional[] = $arg;
            }
        }
        if (count($positional) < 2 || count($positional) > 3 || $positional[0] === '') {
            jobsUsage('push needs <pipeline> <count> [<payload json>]', $usage);
        }
        if ($name === '') {
            jobsUsage('--name needs a job name', $usage);
        }
        [$pipeline, $count] = [$positional[0], jobsWholeNumber('count', $positional[1], $usage)];
        if ($count < 1) {
            jobsUsage('count must be 1 or more', $usage);
        }
        $payload = $positional[2] ?? '{"do":"ack"}';
        if (json_decode($payload) === null && json_last_error() !== JSON_ERROR_NONE) {
            jobsUsage('the payload must be JSON: ' . json_last_error_msg(), $usage);
        }
        foreach ($headers as $header) {
            if (count($header) !== 2 || $header[0] === '') {
                jobsUsage('--header needs <name>=<value>', $usage);
            }
            $options = $options->withAddedHeader($header[0], $header[1]);
        }

        $run = static function (Jobs $jobs) use ($pipeline, $count, $payload, $options, $name, $batch): array {
            $queue = $jobs->connect($pipeline, $options);
            $tasks = array_map(static fn () => $queue->create($name, $payload), range(1, $count));
            $queued = $batch ? $queue->dispatchMany(...$tasks) : array_map($queue->dispatch(...), $tasks);

            return array_map(static fn ($task): string => $task->getId(), [...$queued]);
        };
}

try {
    $result = $run(new Jobs(RPC::create(Environment::fromGlobals()->getRPCAddress())));
} catch (Throwable $e) {
    echo 'ERROR ', $e::class, ' ', str_replace(["\r", "\n"], ' ', $e->getMessage()), "\n";
    exit(2);
}

echo json_encode($result, JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE | JSON_INVALID_UTF8_SUBSTITUTE | JSON_THROW_ON_ERROR), "\n";
