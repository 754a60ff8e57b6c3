<?php

/**
 * Loads RR\KeyValue next to a given psr/simple-cache and reports, as JSON, which interface file
 * was used and whether Cache satisfies it.
 *
 *     php psr16-probe.php debian
 *     php psr16-probe.php constant <dir>      RR_SDK_PSR16_AUTOLOAD = <dir>/autoload.php
 *     php psr16-probe.php later <dir>         <dir>/autoload.php registered after the SDK's, as Composer's would be
 */

declare(strict_types=1);

[, $mode, $dir] = $argv + [null, 'debian', ''];

if ($mode === 'constant') {
    define('RR_SDK_PSR16_AUTOLOAD', $dir . '/autoload.php');
}
require __DIR__ . '/../../autoload.php';
if ($mode === 'later') {
    require $dir . '/autoload.php';
}

// Nothing listens there: the relay connects lazily and nothing is sent.
$cache = (new RR\KeyValue\Factory(RR\Goridge\RPC\RPC::create('tcp://127.0.0.1:1')))->select('x');

try {
    $cache->get(1);
    $invalid = 'accepted';
} catch (Psr\SimpleCache\InvalidArgumentException $e) {
    $invalid = $e->getMessage();
}

$set = new ReflectionMethod(Psr\SimpleCache\CacheInterface::class, 'set');
echo json_encode([
    'file' => (new ReflectionClass(Psr\SimpleCache\CacheInterface::class))->getFileName(),
    'psr16' => $cache instanceof Psr\SimpleCache\CacheInterface,
    'setKeyType' => (string) $set->getParameters()[0]->getType(),
    'setReturnType' => (string) $set->getReturnType(),
    'invalid' => $invalid,
], JSON_UNESCAPED_SLASHES), "\n";
