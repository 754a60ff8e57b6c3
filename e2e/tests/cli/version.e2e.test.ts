import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot, rrBin } from '../../helpers/paths.js';
import { run } from '../../helpers/run.js';

describe('rr --version', () => {
  it('prints the version of the built binary and its plugins', async () => {
    const pkg = JSON.parse(readFileSync(resolve(repoRoot, 'apps/rr/package.json'), 'utf8')) as { version: string };
    const res = await run(rrBin, ['--version']);
    expect(res.code).toBe(0);
    expect(res.stdout).toContain(`rr version ${pkg.version}`);
    expect(res.stdout).toMatch(/^plugins: /m);
  });

  it('exits 1 with a coded error on an unknown command', async () => {
    const res = await run(rrBin, ['frobnicate']);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('RR_ERR_CLI_UNKNOWN_COMMAND');
  });
});
