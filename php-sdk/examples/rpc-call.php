<?php

/**
 * Calls one RPC method and prints the JSON-encoded result on stdout.
 *
 *     php rpc-call.php <address> <method> [<payload>] [json|raw]
 *
 *     php rpc-call.php tcp://127.0.0.1:6001 informer.List true
 *     php rpc-call.php unix:///tmp/rr-rpc.sock kv.Has '{"storage":"mem","items":[]}'
 *     php rpc-call.php tcp://127.0.0.1:6001 echo.Raw 'some bytes' raw
 *
 * With the json codec (default) the payload argument is JSON and is decoded before sending
 * (missing or empty: null). With the raw codec it is sent verbatim, and the reply bytes are
 * printed as a JSON string.
 *
 * Exit codes: 0 success; 2 the server answered with an error, printed on stdout as
 * `ERROR <code> <message>` (code is the leading RR_ERR_* code, or `-` when the error has none;
 * message is the error text after the code); 1 any other failure (message on stderr);
 * 64 bad usage.
 */

declare(strict_types=1);

require __DIR__ . '/../autoload.php';

use RR\Goridge\Exception\ServiceException;
use RR\Goridge\RPC\Codec\JsonCodec;
use RR\Goridge\RPC\Codec\RawCodec;
use RR\Goridge\RPC\RPC;

$usage = "usage: php rpc-call.php <address> <method> [<payload>] [json|raw]\n";

if ($argc < 3 || $argc > 5) {
    fwrite(STDERR, $usage);
    exit(64);
}

[, $address, $method] = $argv;
$argument = $argv[3] ?? '';
$codecName = $argv[4] ?? 'json';

if (!in_array($codecName, ['json', 'raw'], true)) {
    fwrite(STDERR, "unknown codec '$codecName'\n" . $usage);
    exit(64);
}

try {
    if ($codecName === 'raw') {
        $codec = new RawCodec();
        $payload = $argument;
    } else {
        $codec = new JsonCodec();
        $payload = $argument === '' ? null : json_decode($argument, true, 512, JSON_THROW_ON_ERROR);
    }
} catch (JsonException $e) {
    fwrite(STDERR, 'payload is not valid JSON: ' . $e->getMessage() . "\n");
    exit(64);
}

try {
    $result = RPC::create($address, $codec)->call($method, $payload);
} catch (ServiceException $e) {
    echo 'ERROR ', $e->getErrorCode() ?? '-', ' ', $e->getErrorMessage(), "\n";
    exit(2);
} catch (Throwable $e) {
    fwrite(STDERR, get_class($e) . ': ' . $e->getMessage() . "\n");
    exit(1);
}

echo json_encode(
    $result,
    JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE | JSON_PRESERVE_ZERO_FRACTION | JSON_INVALID_UTF8_SUBSTITUTE | JSON_THROW_ON_ERROR,
), "\n";
