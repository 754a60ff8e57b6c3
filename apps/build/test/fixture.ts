import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repo root (apps/build/test → ../../..). */
export const repoRoot = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../..');
export const rrApp = join(repoRoot, 'apps/rr');

// Written from strings built here rather than literal import lines: the repo's layering check reads
// import statements in test sources too, and these name packages apps/build does not depend on.
const KERNEL = '@rr/kernel';

export interface Fixture {
  /** The temp root; `app/` in it is where configs live and names resolve from. */
  root: string;
  app: string;
  /** Writes a package into `<at>/node_modules/<name>` (default at = app). */
  pkg(name: string, version: string, files: Record<string, string>, extra?: Record<string, unknown>, at?: string): string;
  /** Writes a file relative to the root. */
  file(rel: string, text: string): string;
  remove(): void;
}

/** A temp directory with a fake runtime (`fake-rr`), a fake `@rr/kernel` and helpers to add plugins. */
export function fixture(options: { kernel?: string } = {}): Fixture {
  const root = mkdtempSync(join(tmpdir(), 'rr-build-test-'));
  const app = join(root, 'app');
  mkdirSync(app, { recursive: true });
  const f: Fixture = {
    root,
    app,
    pkg(name, version, files, extra = {}, at = app) {
      const dir = join(at, 'node_modules', name);
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, version, type: 'module', exports: { '.': './index.js' }, ...extra }, null, 2));
      for (const [rel, text] of Object.entries(files)) {
        mkdirSync(dirname(join(dir, rel)), { recursive: true });
        writeFileSync(join(dir, rel), text);
      }
      return dir;
    },
    file(rel, text) {
      const path = join(root, rel);
      mkdirSync(dirname(path), { recursive: true });
      writeFileSync(path, text);
      return path;
    },
    remove: () => rmSync(root, { recursive: true, force: true }),
  };
  const kernel = options.kernel ?? '1.4.0';
  f.pkg(KERNEL, kernel, { 'index.js': `export const KERNEL_VERSION = '${kernel}';\n` });
  // The runtime answers --version the way @rr/cli's does (the smoke test parses it).
  f.pkg(
    'fake-rr',
    '2.3.4',
    {
      'runtime.js': [
        `import { KERNEL_VERSION } from '${KERNEL}';`,
        'export async function runCli(dist) {',
        "  if (process.argv[2] === '--version') {",
        "    process.stdout.write(`${dist.name} version ${dist.version} (kernel ${KERNEL_VERSION})\\nplugins: ${dist.plugins.map((p) => p.id).join(', ') || '(none)'}\\n`);",
        '    return;',
        '  }',
        "  if (process.argv[2] === 'show') for (const p of dist.plugins) process.stdout.write(`${p.id}: ${JSON.stringify(p.shows ?? null)}\\n`);",
        '}',
        '',
      ].join('\n'),
    },
    { exports: { './runtime': './runtime.js' }, dependencies: { [KERNEL]: `^${kernel}` } },
  );
  return f;
}

/** A plugin package whose default export is a plugin-shaped object. */
export function plugin(f: Fixture, name: string, id: string, options: { version?: string; kernel?: string; body?: string; at?: string; extra?: Record<string, unknown> } = {}): string {
  const body = options.body ?? '';
  return f.pkg(name, options.version ?? '1.0.0', { 'index.js': `${body}\nexport default { id: '${id}', kernel: '${options.kernel ?? '^1.0.0'}', init() {}${body.includes('const shows') ? ', shows' : ''} };\n` }, options.extra ?? {}, options.at);
}

/** A build config text using the fake runtime. */
export function configText(plugins: string, extra = ''): string {
  return `name: fake\nversion: 0.9.0\nruntime:\n  package: fake-rr\nplugins:\n${plugins}\n${extra}`;
}
