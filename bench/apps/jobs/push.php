<?php

/**
 * The jobs bench's producer: pushes <count> jobs of <bytes> bytes onto <pipeline> through php-sdk's
 * Jobs client (jobs.PushBatch of <batch> jobs, or jobs.Push each when batch is 1) and prints
 * {"pushed":N,"seconds":S}.
 *
 *     php push.php <rpc address> <pipeline> <count> <batch> <bytes>
 */

declare(strict_types=1);

require __DIR__ . '/../../../php-sdk/autoload.php';

[, $address, $pipeline, $count, $batch, $bytes] = $argv;
$queue = (new RR\Jobs\Jobs(RR\Goridge\RPC\RPC::create($address)))->connect($pipeline);
$payload = str_repeat('x', (int) $bytes);
$count = (int) $count;
$batch = max(1, (int) $batch);

$start = hrtime(true);
for ($done = 0; $done < $count; $done += $batch) {
    $tasks = [];
    for ($i = 0; $i < min($batch, $count - $done); $i++) {
        $tasks[] = $queue->create('bench', $payload);
    }
    if ($batch === 1) {
        $queue->dispatch($tasks[0]);
    } else {
        $queue->dispatchMany(...$tasks);
    }
}
echo json_encode(['pushed' => $count, 'seconds' => (hrtime(true) - $start) / 1e9]), "\n";
