<?php

/**
 * Echo worker that writes to stdout in every way an application might, to prove that
 * Worker::create() keeps stdout clean for frames.
 */

declare(strict_types=1);

require __DIR__ . '/../../autoload.php';

use RR\Worker\Payload;
use RR\Worker\Worker;

ini_set('display_errors', '1');
$worker = Worker::create();

while ($request = $worker->waitPayload()) {
    echo 'echoed noise;';
    print 'printed noise;';
    printf('%s;', 'printf noise');
    var_dump('dumped noise');
    error_log('logged noise');
    trigger_error('warned noise', E_USER_WARNING);
    $worker->respond(new Payload($request->body, $request->header));
}
