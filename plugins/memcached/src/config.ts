import { duration } from '@rr/config';
import { z } from 'zod';

const DEFAULT_ADDRESS = '127.0.0.1:11211';

// gomemcache (RoadRunner's client) reads an address containing a slash as a unix socket path; anything
// else must be host:port with an explicit port.
const ADDRESS = /^(\/.*|\[[0-9a-fA-F:.]+\]:\d{1,5}|[^\s:/[\]]+:\d{1,5})$/;
const ADDRESS_HINT = 'host:port (e.g. 127.0.0.1:11211) or the path of a unix socket';

/**
 * `addr`: one address, a comma-separated string of them, or a list. Parsed by hand rather than as a zod
 * union, so a bad entry is reported at its own path (`addr.1`) and schema.json still offers both forms.
 */
const addresses = z
  .unknown()
  .transform((input, ctx): string[] => {
    const list: unknown = typeof input === 'string' ? input.split(',') : input;
    if (!Array.isArray(list)) {
      ctx.issues.push({ code: 'invalid_type', expected: 'array', input, message: `expected ${ADDRESS_HINT}, or a list of them` });
      return z.NEVER;
    }
    const out: string[] = [];
    list.forEach((item: unknown, i) => {
      if (typeof item !== 'string') {
        ctx.issues.push({ code: 'invalid_type', expected: 'string', input: item, path: [i], message: `expected ${ADDRESS_HINT}, received ${typeof item}` });
      } else if (item.trim() !== '' || typeof input !== 'string') {
        if (ADDRESS.test(item.trim())) out.push(item.trim());
        else ctx.issues.push({ code: 'invalid_format', format: 'regex', pattern: ADDRESS.source, input: item, path: [i], message: `expected ${ADDRESS_HINT}` });
      }
    });
    // RoadRunner falls back to the local default for an empty list too.
    return out.length === 0 ? [DEFAULT_ADDRESS] : out;
  })
  .meta({ anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string', pattern: ADDRESS.source } }] });

/**
 * The memcached driver's options: the root `memcached` section (RoadRunner's "global" memcached config, used
 * by every `kv.<storage>` with `driver: memcached` and no `config`) and each `kv.<storage>.config`.
 */
export const memcachedConfigSchema = z
  .strictObject({
    addr: addresses
      .default([DEFAULT_ADDRESS])
      .describe(
        'memcached servers: host:port or a unix socket path, as a list or a comma-separated string. With several, each key lives on ' +
          'one server, picked by the CRC-32 of the key as RoadRunner (gomemcache) picks it (default ["127.0.0.1:11211"])',
      ),
    timeout: duration()
      .refine((ms) => ms > 0, 'must be greater than 0')
      .default(500)
      .describe(
        'rr extension: how long a server may stay silent (connecting, or while rr waits for its answers) before the call fails with ' +
          'RR_ERR_MEMCACHED_UNAVAILABLE and the connection is dropped (default 500ms, gomemcache’s timeout)',
      ),
  })
  .describe('The memcached kv driver: the global memcached servers of kv storages with driver memcached and no config of their own');

/** The resolved memcached driver options. */
export type MemcachedConfig = z.output<typeof memcachedConfigSchema>;
/** The memcached driver options as written in YAML. */
export type MemcachedConfigInput = z.input<typeof memcachedConfigSchema>;
