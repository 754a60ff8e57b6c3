<?php

/**
 * Syntax-checks every .php file under src/, tests/, examples/ and tools/ with `php -l`, and checks
 * that composer.json parses and maps the same PSR-4 prefixes as autoload.php.
 * Exits 1 on any failure. Run from anywhere: `php tools/lint.php`.
 */

declare(strict_types=1);

$root = dirname(__DIR__);
$failures = [];
$files = [];

foreach (['src', 'tests', 'examples', 'tools'] as $dir) {
    if (!is_dir("$root/$dir")) {
        continue;
    }
    $it = new RecursiveIteratorIterator(new RecursiveDirectoryIterator("$root/$dir", FilesystemIterator::SKIP_DOTS));
    foreach ($it as $file) {
        if ($file->isFile() && $file->getExtension() === 'php') {
            $files[] = $file->getPathname();
        }
    }
}
$files[] = "$root/autoload.php";
sort($files);

foreach ($files as $file) {
    $cmd = escapeshellarg(PHP_BINARY) . ' -n -l ' . escapeshellarg($file) . ' 2>&1';
    exec($cmd, $output, $code);
    if ($code !== 0) {
        $failures[] = substr($file, strlen($root) + 1) . ': ' . trim(implode("\n", $output));
    }
    $output = [];
}

$composer = json_decode((string) @file_get_contents("$root/composer.json"), true);
if (!is_array($composer)) {
    $failures[] = 'composer.json: not valid JSON (' . json_last_error_msg() . ')';
} elseif (($composer['autoload']['psr-4']['RR\\'] ?? null) !== 'src/'
    || ($composer['autoload-dev']['psr-4']['RR\\Tests\\'] ?? null) !== 'tests/') {
    $failures[] = 'composer.json: autoload must map "RR\\\\" to "src/" and autoload-dev "RR\\\\Tests\\\\" to "tests/", as autoload.php does';
}

if ($failures !== []) {
    fwrite(STDERR, implode("\n", $failures) . "\n");
    fwrite(STDERR, sprintf("lint: %d problem(s) in %d files checked\n", count($failures), count($files)));
    exit(1);
}

printf("lint: %d files OK, composer.json OK\n", count($files));
