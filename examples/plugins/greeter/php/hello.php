<?php

/**
 * Greets through rr's greeter plugin over Goridge RPC, as a PHP application would.
 *
 *     php hello.php [<name>…]
 *
 * Environment: RR_RPC, rr's RPC address (default tcp://127.0.0.1:6001); RR_PHP_SDK, the php-sdk
 * directory (default: the one of this repository).
 *
 * Prints one JSON line per name with greeter.Hello's answer ({"message": …, "count": …}; no name:
 * one greeting of the default name), then greeter.Stats. Exit codes: 0 success; 2 rr answered with
 * an error, printed on stdout as `ERROR <code> <message>`; 1 any other failure.
 */

declare(strict_types=1);

require (getenv('RR_PHP_SDK') ?: __DIR__ . '/../../../../php-sdk') . '/autoload.php';

use RR\Goridge\Exception\ServiceException;
use RR\Goridge\RPC\Codec\JsonCodec;
use RR\Goridge\RPC\RPC;

$names = array_slice($argv, 1);
$greeter = RPC::create(getenv('RR_RPC') ?: 'tcp://127.0.0.1:6001', new JsonCodec())->withServicePrefix('greeter');

try {
    foreach ($names === [] ? [null] : $names as $name) {
        echo json_encode($greeter->call('Hello', $name === null ? new stdClass() : ['name' => $name]), JSON_UNESCAPED_UNICODE | JSON_THROW_ON_ERROR), "\n";
    }
    echo json_encode($greeter->call('Stats', true), JSON_THROW_ON_ERROR), "\n";
} catch (ServiceException $e) {
    echo 'ERROR ', $e->getErrorCode() ?? '-', ' ', $e->getErrorMessage(), "\n";
    exit(2);
} catch (Throwable $e) {
    fwrite(STDERR, get_class($e) . ': ' . $e->getMessage() . "\n");
    exit(1);
}
