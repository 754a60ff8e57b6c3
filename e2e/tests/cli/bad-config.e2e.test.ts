import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { rrBin } from '../../helpers/paths.js';
import { run } from '../../helpers/run.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function write(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'rr-e2e-config-'));
  dirs.push(dir);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

describe('rr serve with a bad config', () => {
  it('exits 1 listing every load error at once', async () => {
    const dir = write({
      '.rr.yaml': 'version: "3"\ninclude: [missing.yaml, other.yaml]\n',
      'other.yaml': 'version: "2.7"\nhttp: {}\n',
    });
    const res = await run(rrBin, ['serve', '-c', join(dir, '.rr.yaml'), '-o', 'no-equals-sign']);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('RR_ERR_CONFIG_INVALID');
    for (const code of ['RR_ERR_CONFIG_INCLUDE_NOT_FOUND', 'RR_ERR_CONFIG_INCLUDE_VERSION_MISMATCH', 'RR_ERR_CONFIG_OVERRIDE_MALFORMED']) {
      expect(res.stderr).toContain(code);
    }
  });

  it('exits 1 with a hint when the version is not a string', async () => {
    const dir = write({ '.rr.yaml': 'version: 3\n' });
    const res = await run(rrBin, ['serve', '-c', join(dir, '.rr.yaml')]);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('RR_ERR_CONFIG_VERSION_TYPE');
  });

  it('exits 1 when the config file does not exist', async () => {
    const dir = write({});
    const res = await run(rrBin, ['serve', '-c', join(dir, 'nope.yaml')]);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('RR_ERR_CONFIG_NOT_FOUND');
  });
});
