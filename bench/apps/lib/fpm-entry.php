<?php

/**
 * Shared request-per-process entry (php-fpm, php -S): runs the app's bootstrap on EVERY request,
 * then its handler, then emits the response through the SAPI. Included by each app's index.php.
 *
 * @var string $appDir set by the including index.php
 */

declare(strict_types=1);

require $appDir . '/bootstrap.php';
require $appDir . '/handler.php';

[$status, $headers, $body] = bench_handle($_SERVER['REQUEST_URI'] ?? '/', $BENCH_BOOT ?? null);

\http_response_code($status);
foreach ($headers as $name => $value) {
    \header($name . ': ' . $value);
}
// rr's http plugin sends Content-Length for a whole response; so do we (php -S would otherwise end the
// body by closing the connection, which wrk counts as a read error on every request).
\header('Content-Length: ' . \strlen($body));
echo $body;
