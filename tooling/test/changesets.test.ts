import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { root, workspacePackages } from './workspace.js';

// Versions are per package (docs/releasing.md): a change lands with a .changeset/*.md naming the packages it
// bumps, and `pnpm version-packages` turns those into versions and changelogs.
const dir = join(root, '.changeset');
const packages = workspacePackages();
const publicNames = new Set(packages.filter((p) => p.json.private !== true).map((p) => p.json.name));
// Example packages (examples/plugins/*) are workspace members too, never published.
const exampleNames = readdirSync(join(root, 'examples/plugins'))
  .map((d) => join(root, 'examples/plugins', d, 'package.json'))
  .filter((f) => existsSync(f))
  .map((f) => (JSON.parse(readFileSync(f, 'utf8')) as { name: string }).name);
const privateNames = new Set([...packages.filter((p) => p.json.private === true).map((p) => p.json.name), '@rr/php-sdk', ...exampleNames]);

const configSchema = z.strictObject({
  changelog: z.union([z.string(), z.literal(false), z.tuple([z.string(), z.unknown()])]),
  commit: z.boolean(),
  fixed: z.array(z.array(z.string())),
  linked: z.array(z.array(z.string())),
  access: z.enum(['public', 'restricted']),
  baseBranch: z.string(),
  updateInternalDependencies: z.enum(['patch', 'minor']),
  ignore: z.array(z.string()),
  privatePackages: z.union([z.literal(false), z.strictObject({ version: z.boolean().optional(), tag: z.boolean().optional() })]),
  prettier: z.boolean().optional(),
  ___experimentalUnsafeOptions_WILL_CHANGE_IN_PATCH: z.strictObject({ onlyUpdatePeerDependentsWhenOutOfRange: z.boolean().optional() }).optional(),
});

const changesetFiles = readdirSync(dir).filter((f) => f.endsWith('.md') && f !== 'README.md');

/** The front matter of a changeset: `"<package>": patch|minor|major` lines between `---` fences. */
function frontMatter(file: string): Record<string, string> {
  const text = readFileSync(join(dir, file), 'utf8');
  const m = /^---\n([\s\S]*?)\n---\n([\s\S]*)$/.exec(text);
  if (!m) throw new Error(`${file}: no front matter`);
  const out: Record<string, string> = {};
  for (const line of (m[1] ?? '').split('\n').filter((l) => l.trim() !== '')) {
    const entry = /^["']?([^"']+)["']?:\s*(\S+)\s*$/.exec(line);
    if (!entry) throw new Error(`${file}: unreadable line ${line}`);
    out[entry[1] as string] = entry[2] as string;
  }
  if ((m[2] ?? '').trim() === '') throw new Error(`${file}: no summary`);
  return out;
}

describe('changesets', () => {
  const config = configSchema.parse(JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')));

  it('versions each public package on its own and publishes it publicly from main', () => {
    expect(config).toMatchObject({ access: 'public', baseBranch: 'main', fixed: [], linked: [], commit: false });
    // Private workspaces (e2e, tooling, php-sdk) get neither versions nor tags.
    expect(config.privatePackages).toEqual({ version: false, tag: false });
    // A kernel minor stays inside every plugin's ^major peer range: no cascade of major plugin releases.
    expect(config.___experimentalUnsafeOptions_WILL_CHANGE_IN_PATCH?.onlyUpdatePeerDependentsWhenOutOfRange).toBe(true);
    for (const name of config.ignore) expect(publicNames.has(name) || privateNames.has(name), name).toBe(true);
  });

  it('has a README and every changeset names public packages with a bump and a summary', () => {
    expect(existsSync(join(dir, 'README.md'))).toBe(true);
    for (const file of changesetFiles) {
      for (const [name, bump] of Object.entries(frontMatter(file))) {
        expect(publicNames.has(name), `${file}: ${name} is not a public workspace package`).toBe(true);
        expect(['patch', 'minor', 'major'], `${file}: ${name}`).toContain(bump);
      }
    }
  });

  describe('changeset status', () => {
    const out = mkdtempSync(join(tmpdir(), 'rr-changesets-'));
    afterAll(() => rmSync(out, { recursive: true, force: true }));

    it('computes a release plan from the pending changesets', () => {
      const plan = join(out, 'plan.json');
      // --output writes the plan as JSON instead of printing it.
      const res = spawnSync(join(root, 'node_modules/.bin/changeset'), ['status', '--output', plan], { cwd: root, encoding: 'utf8', timeout: 60_000 });
      expect(res.status, `${res.stdout}\n${res.stderr}`).toBe(0);
      const { changesets, releases } = JSON.parse(readFileSync(plan, 'utf8')) as {
        changesets: { id: string; releases: { name: string; type: string }[] }[];
        releases: { name: string; type: string; oldVersion: string; newVersion: string }[];
      };
      expect(changesets.map((c) => `${c.id}.md`).sort()).toEqual([...changesetFiles].sort());
      for (const r of releases) {
        if (privateNames.has(r.name)) expect(r.type, r.name).toBe('none');
        else expect(publicNames.has(r.name), r.name).toBe(true);
      }
      // Every bump a changeset asks for is in the plan (at least that big: dependents may raise it).
      const order = ['none', 'patch', 'minor', 'major'];
      for (const c of changesets) {
        for (const wanted of c.releases) {
          const got = releases.find((r) => r.name === wanted.name);
          expect(order.indexOf(got?.type ?? 'none'), `${c.id}: ${wanted.name}`).toBeGreaterThanOrEqual(order.indexOf(wanted.type));
        }
      }
    });
  });
});
