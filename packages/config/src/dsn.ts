import { fail, ok, scalar, typeName, type ScalarResult, type ScalarSchema } from './scalar.js';

/** A listen or relay address: TCP, a unix socket, or the worker's stdin/stdout. */
export type Dsn =
  | { scheme: 'tcp'; host: string; port: number; raw: string }
  | { scheme: 'unix'; path: string; raw: string }
  | { scheme: 'pipes'; raw: string };

/** One of the DSN schemes. */
export type DsnScheme = Dsn['scheme'];

/** Options of `dsn()`. */
export interface DsnOptions<S extends DsnScheme> {
  /**
   * Schemes accepted here, e.g. `['tcp', 'unix']` for `rpc.listen`.
   * @default ['tcp', 'unix', 'pipes']
   */
  allow?: readonly S[];
}

const examples: Record<DsnScheme, string> = { tcp: 'tcp://:6001', unix: 'unix://file.sock', pipes: 'pipes' };
// Host: empty, a name or IPv4 address (no ':' or '/'), or a bracketed IPv6 address. Port: 1–5 digits.
const tcpRest = /^(\[[0-9A-Fa-f:.]+\]|[^:/[\]]*):(\d{1,5})$/;

function parseDsn(input: unknown, allow: readonly DsnScheme[]): ScalarResult<Dsn> {
  const usage = allow.map((s) => examples[s]).join(', ');
  if (typeof input !== 'string') return fail({ code: 'invalid_type', expected: 'string', message: `expected a DSN string (${usage}), received ${typeName(input)}` });
  const invalid = (why = '') => fail<Dsn>({ code: 'invalid_format', format: 'dsn', message: `invalid DSN '${input}'${why} (${usage})` });
  let parsed: Dsn;
  if (input === 'pipes') parsed = { scheme: 'pipes', raw: input };
  else {
    // RoadRunner splits on "://" and demands exactly two parts.
    const parts = input.split('://');
    if (parts.length !== 2) return invalid();
    const [scheme, rest] = parts as [string, string];
    if (scheme === 'tcp') {
      const m = tcpRest.exec(rest);
      if (m === null) return invalid(': expected tcp://host:port');
      const port = Number(m[2]);
      if (port > 65535) return invalid(': port must be 0-65535');
      parsed = { scheme: 'tcp', host: (m[1] as string).replace(/^\[|\]$/g, ''), port, raw: input };
    } else if (scheme === 'unix') {
      if (rest === '') return invalid(': the socket path is empty');
      parsed = { scheme: 'unix', path: rest, raw: input };
    } else return invalid(`: unknown scheme "${scheme}"`);
  }
  if (!allow.includes(parsed.scheme)) return invalid(`: ${parsed.scheme} is not allowed here`);
  return ok(parsed);
}

/**
 * An address field: `tcp://host:port`, `unix://path` or `pipes`, parsed.
 *
 * @remarks
 * - `tcp://:6001` yields `host: ''`: the caller decides what an empty host means (RoadRunner binds all
 *   interfaces for a listener); IPv6 is written `tcp://[::1]:6001` and yields `host: '::1'`.
 * - `unix:///tmp/rr.sock` yields `path: '/tmp/rr.sock'`; `unix://rr.sock` a path relative to the working dir.
 * - Anything else reports `RR_ERR_CONFIG_INVALID_FORMAT` with RoadRunner's wording, "invalid DSN (tcp://:6001, unix://file.sock)".
 *
 * @example z.strictObject({ listen: dsn({ allow: ['tcp', 'unix'] }).default(...) })
 */
export function dsn<S extends DsnScheme = DsnScheme>(options: DsnOptions<S> = {}): ScalarSchema<Extract<Dsn, { scheme: S }>, string> {
  const allow: readonly DsnScheme[] = options.allow ?? ['tcp', 'unix', 'pipes'];
  return scalar({ type: 'string', description: `address: ${allow.map((s) => examples[s]).join(', ')}` }, (input) =>
    // parseDsn refuses schemes outside `allow`, which is exactly what narrows Dsn to S.
    parseDsn(input, allow) as ScalarResult<Extract<Dsn, { scheme: S }>>,
  );
}
