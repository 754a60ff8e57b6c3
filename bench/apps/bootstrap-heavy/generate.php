<?php

/**
 * Generates the class set the bootstrap-heavy app loads on boot: MODULES × PER_MODULE service
 * classes (one file each, PSR-4 under generated/src/), an interface, an abstract base, a trait and a
 * config array, i.e. what a framework's container loads and links on every boot.
 *
 *     php generate.php [<out-dir>]     # default: ./generated; idempotent (skips when up to date)
 *
 * Deterministic: the same files every run. The CPU loop count lives in generated/calibration.php,
 * written by the runner (bench/run.mjs) after calibrating on this machine.
 */

declare(strict_types=1);

const MODULES = 12;
const PER_MODULE = 20;
const VERSION = 1;

$out = $argv[1] ?? __DIR__ . '/generated';
$stamp = $out . '/.version';
if (\is_file($stamp) && \trim((string) \file_get_contents($stamp)) === VERSION . ':' . MODULES . 'x' . PER_MODULE) {
    echo "up to date: $out\n";
    exit(0);
}

$src = $out . '/src';
foreach ([$src . '/Contracts', $src . '/Concerns'] as $dir) {
    if (!\is_dir($dir) && !\mkdir($dir, 0777, true)) {
        \fwrite(\STDERR, "cannot create $dir\n");
        exit(1);
    }
}

\file_put_contents($src . '/Contracts/ServiceInterface.php', <<<'PHP'
<?php

declare(strict_types=1);

namespace Bench\App\Contracts;

interface ServiceInterface
{
    public function name(): string;

    public function boot(): int;

    /** @return array<string, mixed> */
    public function describe(): array;
}

PHP);

\file_put_contents($src . '/Concerns/Configurable.php', <<<'PHP'
<?php

declare(strict_types=1);

namespace Bench\App\Concerns;

trait Configurable
{
    /** @var array<string, mixed> */
    protected array $config = [];

    public function configure(array $config): static
    {
        foreach ($config as $key => $value) {
            $this->config[\strtolower((string) $key)] = \is_string($value) ? \trim($value) : $value;
        }

        return $this;
    }

    public function option(string $key, mixed $default = null): mixed
    {
        return $this->config[\strtolower($key)] ?? $default;
    }
}

PHP);

\file_put_contents($src . '/AbstractService.php', <<<'PHP'
<?php

declare(strict_types=1);

namespace Bench\App;

use Bench\App\Concerns\Configurable;
use Bench\App\Contracts\ServiceInterface;

abstract class AbstractService implements ServiceInterface, \JsonSerializable
{
    use Configurable;

    protected int $booted = 0;

    public function __construct(array $config = [])
    {
        $this->configure($config);
    }

    public function name(): string
    {
        return static::class;
    }

    public function jsonSerialize(): array
    {
        return $this->describe();
    }

    abstract protected function weight(): int;
}

PHP);

$config = [];
for ($m = 1; $m <= MODULES; ++$m) {
    $ns = \sprintf('Module%02d', $m);
    if (!\is_dir("$src/$ns")) {
        \mkdir("$src/$ns", 0777, true);
    }
    for ($n = 1; $n <= PER_MODULE; ++$n) {
        $class = \sprintf('Service%02d', $n);
        $fqcn = "Bench\\App\\$ns\\$class";
        $deps = [];
        if ($n > 1) {
            $deps[] = \sprintf('Bench\\App\\%s\\Service%02d', $ns, $n - 1);
        }
        $config[$fqcn] = [
            'enabled' => true,
            'priority' => ($m * 7 + $n * 13) % 100,
            'tags' => ["module:$m", "service:$n", $n % 2 === 0 ? 'even' : 'odd'],
            'dsn' => "  bench://module$m/service$n  ",
            'deps' => $deps,
        ];
        $w = ($m * 31 + $n * 17) % 97 + 1;
        \file_put_contents("$src/$ns/$class.php", <<<PHP
<?php

declare(strict_types=1);

namespace Bench\\App\\$ns;

use Bench\\App\\AbstractService;

final class $class extends AbstractService
{
    public const WEIGHT = $w;
    public const TAGS = ['module' => $m, 'service' => $n];

    private array \$routes = [];

    public function boot(): int
    {
        foreach (\$this->option('tags', []) as \$i => \$tag) {
            \$this->routes['/$ns/$class/' . \$i] = \\strtoupper(\$tag);
        }
        \$this->booted = \$this->weight() + \\count(\$this->routes);

        return \$this->booted;
    }

    public function describe(): array
    {
        return [
            'name' => \$this->name(),
            'priority' => (int) \$this->option('priority', 0),
            'dsn' => \$this->option('dsn'),
            'routes' => \\array_keys(\$this->routes),
            'deps' => \$this->option('deps', []),
        ];
    }

    public function handle(string \$path): ?string
    {
        if (!isset(\$this->routes[\$path])) {
            return null;
        }

        return \\sprintf('%s handled %s (%d)', \$this->name(), \$path, \$this->booted);
    }

    public function checksum(): int
    {
        \$sum = 0;
        foreach (\$this->routes as \$route => \$name) {
            \$sum = (\$sum * 31 + \\crc32(\$route . \$name)) & 0x7FFFFFFF;
        }

        return \$sum;
    }

    protected function weight(): int
    {
        return self::WEIGHT * (\$this->option('enabled', false) ? 1 : 0);
    }
}

PHP);
    }
}

\file_put_contents($out . '/services.php', "<?php\n\n// generated by generate.php\nreturn " . \var_export($config, true) . ";\n");
\file_put_contents($stamp, VERSION . ':' . MODULES . 'x' . PER_MODULE . "\n");
echo 'generated ' . (MODULES * PER_MODULE) . " classes in $out\n";
