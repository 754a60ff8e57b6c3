import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { declaredErrorCodes } from '@rr/errors';
import { beforeAll, describe, expect, it } from 'vitest';
import { root, workspacePackages } from './workspace.js';

// Every catalogue registers its codes in @rr/errors when imported; importing them all in one process
// also proves no two catalogues declare the same code (defineErrors throws on a collision).
const catalogues = workspacePackages()
  .map((p) => join(p.dir, 'src/errors.ts'))
  .filter((f) => existsSync(f));

const doc = readFileSync(join(root, 'docs/errors.md'), 'utf8');
const [activeDoc = '', retiredDoc = ''] = doc.split(/^## Retired codes$/m);
const codesIn = (text: string) => new Set([...text.matchAll(/`((?:RR_ERR|RR_WARN|RR_DEP)_[A-Z0-9_]+)`/g)].map((m) => m[1] as string));

describe('error catalogue', () => {
  beforeAll(async () => {
    for (const file of catalogues) await import(file);
  });

  it('loads every package catalogue', () => {
    expect(catalogues.length).toBeGreaterThanOrEqual(4);
    expect(declaredErrorCodes().length).toBeGreaterThan(20);
  });

  it('documents every declared code in docs/errors.md', () => {
    const documented = codesIn(activeDoc);
    expect(declaredErrorCodes().filter((c) => !documented.has(c))).toEqual([]);
  });

  it('never reuses a retired code', () => {
    const retired = codesIn(retiredDoc);
    expect(declaredErrorCodes().filter((c) => retired.has(c))).toEqual([]);
  });

  it('documents each code once', () => {
    const all = [...activeDoc.matchAll(/^\| `((?:RR_ERR|RR_WARN|RR_DEP)_[A-Z0-9_]+)`/gm)].map((m) => m[1]);
    expect(all.filter((c, i) => all.indexOf(c) !== i)).toEqual([]);
  });
});
