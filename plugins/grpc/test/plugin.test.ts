import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resettablesRef, statusSourcesRef, workerSourcesRef, type Resettable, type StatusSource, type WorkerSource } from '@rr/contracts';
import { definePlugin, isRrError } from '@rr/kernel';
import { startTestKernel } from '@rr/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { grpcPlugin } from '../src/index.js';
import { glob } from '../src/protos.js';
import { startGrpc } from './helpers/grpc.js';
import { ECHO_PROTO, PHP_SDK, testServerPlugin } from './helpers/server-plugin.js';

const dir = mkdtempSync(join(tmpdir(), 'rr-grpc-plugin-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The first RrError with `code` in an error's cause chain or aggregated list. */
function find(err: unknown, code: string): { code: string; message: string; details?: Record<string, unknown> } | undefined {
  if (isRrError(err, code)) return err as never;
  const e = err as { cause?: unknown; details?: { errors?: unknown[] } } | undefined;
  for (const inner of [e?.cause, ...(e?.details?.errors ?? [])]) {
    if (inner === undefined) continue;
    const hit = find(inner, code);
    if (hit !== undefined) return hit;
  }
  return undefined;
}

const boot = (grpc: Record<string, unknown> | undefined) =>
  startTestKernel({ plugins: [testServerPlugin(), grpcPlugin], config: grpc === undefined ? {} : { grpc } });

describe('grpc plugin lifecycle', () => {
  it('is disabled without a grpc section', async () => {
    const t = await boot(undefined);
    expect(t.kernel.report().find((r) => r.id === 'grpc')).toMatchObject({ state: 'disabled' });
    await t.stop();
  });

  it('refuses an invalid section with every dotted path', async () => {
    const err = await boot({ listen: '127.0.0.1:9001', tls: { cert: 'c' }, max_concurrent_streams: 0, colour: 1 }).catch((e: unknown) => e);
    expect(isRrError(err, 'RR_ERR_KERNEL_CONFIG_INVALID')).toBe(true);
    const issues = (err as { details: { issues: { path: string }[] } }).details.issues.map((i) => i.path);
    expect(issues).toEqual(expect.arrayContaining(['grpc.listen', 'grpc.tls.key', 'grpc.max_concurrent_streams', 'grpc.colour']));
  });

  it.each([
    [[ECHO_PROTO, `${dir}/missing.proto`], 'RR_ERR_GRPC_PROTO_NOT_FOUND', 'grpc.proto[1]'],
    [`${dir}/[a-.proto`, 'RR_ERR_GRPC_BAD_GLOB', 'grpc.proto[0]'],
    [`${dir}/nothing-*.proto`, 'RR_ERR_GRPC_PROTO_GLOB_EMPTY', 'grpc.proto[0]'],
  ])('fails the start for proto %j with %s at %s', async (proto, code, path) => {
    const err = await boot({ listen: 'tcp://127.0.0.1:0', proto }).catch((e: unknown) => e);
    expect(find(err, code)?.details).toMatchObject({ path });
  });

  it('fails the start on a proto that does not parse', async () => {
    const bad = join(dir, 'bad.proto');
    writeFileSync(bad, 'syntax = "proto3"; service {');
    const err = await boot({ listen: 'tcp://127.0.0.1:0', proto: bad }).catch((e: unknown) => e);
    expect(find(err, 'RR_ERR_GRPC_PROTO_INVALID')).toBeDefined();
  });

  it('fails the start on a TLS file that does not exist, naming its key', async () => {
    const err = await boot({ listen: 'tcp://127.0.0.1:0', proto: ECHO_PROTO, tls: { key: `${dir}/k.pem`, cert: `${dir}/c.pem` } }).catch((e: unknown) => e);
    expect(find(err, 'RR_ERR_GRPC_TLS_FILE')?.details).toMatchObject({ path: 'grpc.tls.key' });
  });

  it('expands globs like Go filepath.Glob', () => {
    expect(glob(`${PHP_SDK}examples/grpc/*.proto`)).toEqual([ECHO_PROTO]);
    expect(glob(`${PHP_SDK}examples/g?pc/[a-f]cho.proto`)).toEqual([ECHO_PROTO]);
    expect(glob(`${dir}/[z-`)).toBe('unclosed character class');
  });

  it('provides its workers, reset and status to informer, resetter and status', async () => {
    const seen: { workers?: readonly WorkerSource[]; resettables?: readonly Resettable[]; statuses?: readonly StatusSource[] } = {};
    const probe = definePlugin({
      id: 'probe',
      kernel: '^1.0.0',
      collects: { workers: workerSourcesRef, resettables: resettablesRef, statuses: statusSourcesRef },
      init: ({ collected }) => {
        Object.assign(seen, collected);
        return {};
      },
    });
    const rr = await startGrpc({ proto: `${PHP_SDK}examples/grpc/*.proto` }, [probe]);
    try {
      const workers = seen.workers?.find((w) => w.name === 'grpc');
      expect(workers?.workers()).toHaveLength(1);
      const status = seen.statuses?.find((s) => s.name === 'grpc');
      expect(await status?.ready()).toEqual({ code: 200, message: '' });
      const before = workers?.workers()[0]?.pid;
      await seen.resettables?.find((r) => r.name === 'grpc')?.reset();
      expect(workers?.workers()[0]?.pid).not.toBe(before);
    } finally {
      await rr.stop();
    }
  });
});
