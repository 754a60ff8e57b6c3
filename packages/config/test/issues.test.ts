import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { duration, issuesFromZod } from '../src/index.js';

const httpSchema = z.strictObject({
  address: z.string(),
  pool: z.strictObject({ num_workers: z.number().int().max(500), allocate_timeout: duration().optional() }).optional(),
  middleware: z.array(z.enum(['gzip', 'headers'])).optional(),
  mode: z.union([z.string(), z.number()]).optional(),
  limits: z.record(z.string(), z.number()).optional(),
});

describe('issuesFromZod', () => {
  it('maps zod codes to RR_ERR_CONFIG_<CODE> with dotted paths under a prefix', () => {
    const r = httpSchema.safeParse({
      address: 8080,
      pool: { num_workers: 501, allocate_timeout: 'soon', extra: 1 },
      middleware: ['gzip', 'zstd'],
      mode: true,
      limits: { a: 'x' },
      unknown_a: 1,
      unknown_b: 2,
    });
    expect(r.success).toBe(false);
    const issues = issuesFromZod(r.error!, 'http');
    expect(issues.map(({ path, code }) => ({ path, code }))).toEqual(
      expect.arrayContaining([
        { path: 'http.address', code: 'RR_ERR_CONFIG_INVALID_TYPE' },
        { path: 'http.pool.num_workers', code: 'RR_ERR_CONFIG_TOO_BIG' },
        { path: 'http.pool.allocate_timeout', code: 'RR_ERR_CONFIG_INVALID_FORMAT' },
        { path: 'http.pool.extra', code: 'RR_ERR_CONFIG_UNRECOGNIZED_KEYS' },
        { path: 'http.middleware[1]', code: 'RR_ERR_CONFIG_INVALID_VALUE' },
        { path: 'http.mode', code: 'RR_ERR_CONFIG_INVALID_UNION' },
        { path: 'http.limits.a', code: 'RR_ERR_CONFIG_INVALID_TYPE' },
        { path: 'http.unknown_a', code: 'RR_ERR_CONFIG_UNRECOGNIZED_KEYS' },
        { path: 'http.unknown_b', code: 'RR_ERR_CONFIG_UNRECOGNIZED_KEYS' },
      ]),
    );
    expect(issues).toHaveLength(9);
  });

  it('writes one message per unknown key and names the accepted types of a failed union', () => {
    const r = httpSchema.safeParse({ address: 'x', mode: false, typo: 1 });
    expect(issuesFromZod(r.error!, 'http')).toEqual([
      { path: 'http.mode', code: 'RR_ERR_CONFIG_INVALID_UNION', message: 'Invalid input: expected string | number' },
      { path: 'http.typo', code: 'RR_ERR_CONFIG_UNRECOGNIZED_KEYS', message: 'unrecognized key "typo"' },
    ]);
  });

  it('keeps zod’s message for a union whose branches failed deeper than the type', () => {
    const schema = z.union([z.strictObject({ a: z.string() }), z.strictObject({ b: z.number() })]);
    const r = schema.safeParse({ a: 1 });
    expect(issuesFromZod(r.error!, 's')).toEqual([{ path: 's', code: 'RR_ERR_CONFIG_INVALID_UNION', message: r.error!.issues[0]!.message }]);
  });

  it('writes list indices as [n], also at the root and without a prefix', () => {
    const r = z.array(z.array(z.string())).safeParse([['ok'], ['ok', 2]]);
    expect(issuesFromZod(r.error!).map((i) => i.path)).toEqual(['[1][1]']);
    expect(issuesFromZod(r.error!, 'jobs.consume').map((i) => i.path)).toEqual(['jobs.consume[1][1]']);
  });

  it('accepts a bare issue list, Standard Schema issues (no code, {key} segments) and symbol keys', () => {
    expect(
      issuesFromZod([
        { message: 'must be positive', path: [{ key: 'pool' }, { key: 0 }, 'n'] },
        { code: 'tooBig', message: 'camel', path: [Symbol('sym')] },
        { message: 'root-level' },
      ]),
    ).toEqual([
      { path: 'pool[0].n', code: 'RR_ERR_CONFIG_CUSTOM', message: 'must be positive' },
      { path: 'sym', code: 'RR_ERR_CONFIG_TOO_BIG', message: 'camel' },
      { path: '', code: 'RR_ERR_CONFIG_CUSTOM', message: 'root-level' },
    ]);
  });

  it('maps a refinement to RR_ERR_CONFIG_CUSTOM at the exact sub-path', () => {
    const schema = z
      .strictObject({ ssl: z.strictObject({ cert: z.string().optional(), key: z.string().optional() }) })
      .superRefine((v, ctx) => {
        if (v.ssl.cert !== undefined && v.ssl.key === undefined) ctx.addIssue({ code: 'custom', path: ['ssl', 'key'], message: 'required when http.ssl.cert is set' });
      });
    const r = schema.safeParse({ ssl: { cert: '/c.pem' } });
    expect(issuesFromZod(r.error!, 'http')).toEqual([{ path: 'http.ssl.key', code: 'RR_ERR_CONFIG_CUSTOM', message: 'required when http.ssl.cert is set' }]);
  });
});
