<?php

// The jobs bench's consumer: acks every job at once, so the figures are rr's and the driver's cost.

declare(strict_types=1);

require __DIR__ . '/../../../php-sdk/autoload.php';

$consumer = new RR\Jobs\Consumer();
while ($task = $consumer->waitTask()) {
    $task->ack();
}
