<?php

/**
 * Calls rr's RPC while booting (as apps warming caches or reading config over RPC do), then answers
 * every request with what that call returned.
 */

declare(strict_types=1);

require getenv('RR_PHP_SDK') . '/autoload.php';

use RR\Goridge\RPC\RPC;
use RR\Http\HttpWorker;
use RR\Worker\Environment;
use RR\Worker\Worker;

$rpc = RPC::create(Environment::fromGlobals()->getRPCAddress());
$atBoot = json_encode($rpc->call('informer.List', true));

$http = new HttpWorker(Worker::create());
while (($request = $http->waitRequest()) !== null) {
    $http->respond(200, $atBoot);
}
