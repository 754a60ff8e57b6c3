<?php

spl_autoload_register(static function (string $class): void {
    if (strncmp($class, 'Psr\\SimpleCache\\', 16) === 0 && is_file($file = __DIR__ . '/' . substr($class, 16) . '.php')) {
        require $file;
    }
});
