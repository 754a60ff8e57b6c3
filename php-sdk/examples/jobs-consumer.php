<?php

/**
 * A worker for rr's jobs pool (`RR_MODE=jobs`): every job's payload says what to do with it.
 *
 *     jobs: { pool: { command: "php jobs-consumer.php" }, … }      # relay from RR_RELAY
 *
 * The payload is a JSON object (anything else counts as `{}`):
 *
 *     {"do": "ack"}                          ack() (the default)
 *     {"do": "nack"}                         nack() without redelivery
 *     {"do": "nack-requeue", "delay": 2}     nack(…, redelivery: true), after `delay` seconds (default 0)
 *     {"do": "requeue", "delay": 2}          requeue(), after `delay` seconds, headers kept
 *     {"do": "fail", "requeue": true}        the deprecated fail() (type 1), requeue as given (default false), delay as above
 *     {"do": "crash"}                        exits at once (code 3) without answering
 *     {"do": "sleep", "ms": 250}             sleeps, then ack()
 *     {"do": "<other>"}                      nack("unknown do: <other>")
 *
 * `ms` (milliseconds) delays the answer of every kind, not only `sleep`. `"times": N` bounds `requeue`
 * and `fail` with requeue: the copy pushed back carries the header `x-requeues` (1, 2, …), and a
 * delivery that already has N is acked instead — rr does not count requeues, so without it such a
 * job comes back forever.
 *
 * When JOBS_LOG names a file, one JSON line per delivery is appended to it (under flock) as soon as
 * the job arrives, before it is answered or the process crashes, so tests can count deliveries:
 *
 *     {"id":"…","name":"…","pipeline":"…","attempt":0,"pid":1234,"do":"ack"}
 *
 * `attempt` is rr's `x-rr-attempts` header as an int, 0 when absent. A delivery whose context cannot
 * be read is answered with a worker error (rr nacks it) and reported on stderr.
 */

declare(strict_types=1);

require __DIR__ . '/../autoload.php';

use RR\Jobs\Consumer;
use RR\Jobs\Exception\ReceivedTaskException;
use RR\Jobs\Exception\SerializationException;
use RR\Jobs\Task\ReceivedTaskInterface;
use RR\Worker\Worker;

function jobsLog(string $path, ReceivedTaskInterface $task, string $do): void
{
    $line = json_encode([
        'id' => $task->getId(),
        'name' => $task->getName(),
        'pipeline' => $task->getPipeline(),
        'attempt' => (int) $task->getHeaderLine('x-rr-attempts'),
        'pid' => getmypid(),
        'do' => $do,
    ], JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE | JSON_INVALID_UTF8_SUBSTITUTE | JSON_THROW_ON_ERROR) . "\n";

    $file = fopen($path, 'ab');
    if ($file === false) {
        throw new RuntimeException("cannot open JOBS_LOG $path");
    }
    try {
        // Several workers append to one file; the lock keeps their lines whole.
        flock($file, LOCK_EX);
        fwrite($file, $line);
        fflush($file);
        flock($file, LOCK_UN);
    } finally {
        fclose($file);
    }
}

$worker = Worker::create();
$consumer = new Consumer($worker);
$log = (string) getenv('JOBS_LOG');

while (true) {
    try {
        $task = $consumer->waitTask();
    } catch (ReceivedTaskException | SerializationException $e) {
        fwrite(STDERR, 'jobs-consumer: undecodable delivery: ' . $e->getMessage() . "\n");
        $worker->error($e->getMessage());
        continue;
    }
    if ($task === null) {
        break;
    }

    $spec = json_decode($task->getPayload(), true);
    $spec = is_array($spec) ? $spec : [];
    $do = is_string($spec['do'] ?? null) ? $spec['do'] : 'ack';
    $delay = max(0, (int) ($spec['delay'] ?? 0));

    if ($log !== '') {
        jobsLog($log, $task, $do);
    }

    if ($do === 'crash') {
        exit(3);
    }

    $requeues = (int) $task->getHeaderLine('x-requeues');
    $exhausted = isset($spec['times']) && $requeues >= (int) $spec['times'];
    $requeued = $task->withHeader('x-requeues', (string) ($requeues + 1))->withDelay($delay);

    $ms = (int) ($spec['ms'] ?? 0);
    if ($ms > 0) {
        usleep($ms * 1000);
    }

    $requeue = ($spec['requeue'] ?? false) === true;
    match (true) {
        $do === 'ack', $do === 'sleep', $exhausted && ($do === 'requeue' || ($do === 'fail' && $requeue)) => $task->ack(),
        $do === 'nack' => $task->nack('nacked by the payload'),
        $do === 'nack-requeue' => $task->withDelay($delay)->nack('nacked for redelivery by the payload', true),
        $do === 'requeue' => $requeued->requeue('requeued by the payload'),
        $do === 'fail' && $requeue => $requeued->fail('failed by the payload', true),
        $do === 'fail' => $task->withDelay($delay)->fail('failed by the payload'),
        default => $task->nack("unknown do: $do"),
    };
}
