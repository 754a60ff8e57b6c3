import { describe, expect, it } from 'vitest';
import { RR_COMPAT_VERSION, expandEnvValues, onInitEnv, rpcAddressForWorkers, workerEnv, workerVersion, type SharedWorkerEnv } from '../src/env.js';

const shared = (over: Partial<SharedWorkerEnv> = {}): SharedWorkerEnv => ({
  base: { PATH: '/usr/bin', HOME: '/root' },
  relay: 'pipes',
  rpc: 'tcp://127.0.0.1:6001',
  server: {},
  version: '2025.1.15',
  ...over,
});

describe('workerEnv', () => {
  it("builds RoadRunner's order: rr env, RR_RELAY, RR_RPC, server.env, RR_VERSION, RR_MODE, pool env", () => {
    const env = workerEnv(shared({ server: { APP_ENV: 'prod' } }), 'http', { EXTRA: '1' });
    expect(Object.entries(env)).toEqual([
      ['PATH', '/usr/bin'],
      ['HOME', '/root'],
      ['RR_RELAY', 'pipes'],
      ['RR_RPC', 'tcp://127.0.0.1:6001'],
      ['APP_ENV', 'prod'],
      ['RR_VERSION', '2025.1.15'],
      ['RR_MODE', 'http'],
      ['EXTRA', '1'],
    ]);
  });

  it('lets a later source win: server.env over RR_RELAY/RR_RPC and rr env, RR_VERSION and RR_MODE over server.env, pool env over all', () => {
    const env = workerEnv(
      shared({
        base: { RR_RELAY: 'from-parent', RR_MODE: 'from-parent', HOME: '/root' },
        server: { RR_RELAY: 'custom', RR_RPC: 'tcp://10.0.0.1:6001', RR_VERSION: '1.0.0', RR_MODE: 'x', HOME: '/app' },
      }),
      'jobs',
      { HOME: '/pool' },
    );
    expect(env).toMatchObject({ RR_RELAY: 'custom', RR_RPC: 'tcp://10.0.0.1:6001', RR_VERSION: '2025.1.15', RR_MODE: 'jobs', HOME: '/pool' });
  });

  it("lets the pool's env override RR_MODE", () => {
    expect(workerEnv(shared(), 'http', { RR_MODE: 'custom' }).RR_MODE).toBe('custom');
  });

  it('omits RR_RPC when there is no rpc address and skips unset variables', () => {
    const env = workerEnv(shared({ rpc: undefined, base: { A: 'a', B: undefined } }), 'http');
    expect(env).not.toHaveProperty('RR_RPC');
    expect(env).not.toHaveProperty('B');
    expect(env.A).toBe('a');
  });
});

describe('expandEnvValues', () => {
  it('expands $VAR and ${VAR} against the given environment, unset as empty', () => {
    expect(expandEnvValues({ A: '$HOME/app', B: '${USER}-x', C: '$NOPE', D: 'plain' }, { HOME: '/root', USER: 'www' })).toEqual({
      A: '/root/app',
      B: 'www-x',
      C: '',
      D: 'plain',
    });
  });

  it('expands a variable whose own value holds $NAME (what the loader leaves behind)', () => {
    expect(expandEnvValues({ A: '$HOME' }, { HOME: '/root' })).toEqual({ A: '/root' });
  });
});

describe('onInitEnv', () => {
  it('is rr env then on_init.env (expanded), on_init.env winning', () => {
    expect(onInitEnv({ HOME: '/root', MODE: 'serve', GONE: undefined }, { MODE: 'migrate', DIR: '$HOME/db' })).toEqual({
      HOME: '/root',
      MODE: 'migrate',
      DIR: '/root/db',
    });
  });
});

describe('rpcAddressForWorkers', () => {
  it.each([
    ['rpc.listen verbatim', { listen: 'tcp://127.0.0.1:6001' }, 'tcp://127.0.0.1:6001'],
    ['a host name verbatim', { listen: 'tcp://rr.local:6001' }, 'tcp://rr.local:6001'],
    ['a unix socket verbatim', { listen: 'unix:///tmp/rpc.sock' }, 'unix:///tmp/rpc.sock'],
    ['an empty host as 127.0.0.1, which PHP can parse', { listen: 'tcp://:6001' }, 'tcp://127.0.0.1:6001'],
    ['no listen key: none (RoadRunner sets RR_RPC only for a non-empty listen)', {}, undefined],
    ['an empty listen: none', { listen: '' }, undefined],
    ['a non-string listen: none', { listen: 6001 }, undefined],
    ['an rpc section written empty (null): none', null, undefined],
    ['an address the rpc plugin will reject: verbatim', { listen: 'garbage' }, 'garbage'],
  ])('%s', (_name, section, expected) => {
    expect(rpcAddressForWorkers(section)).toBe(expected);
  });
});

describe('workerVersion', () => {
  it("takes rr's RR_VERSION without the leading v", () => {
    expect(workerVersion({ RR_VERSION: 'v2025.2.0' })).toBe('2025.2.0');
    expect(workerVersion({ RR_VERSION: '1.2.3' })).toBe('1.2.3');
  });

  it('falls back to the RoadRunner release rr reproduces', () => {
    expect(workerVersion({})).toBe(RR_COMPAT_VERSION);
    expect(workerVersion({ RR_VERSION: ' ' })).toBe(RR_COMPAT_VERSION);
    expect(RR_COMPAT_VERSION).toMatch(/^\d{4}\.\d+\.\d+$/);
  });
});
