import type { KvExpiry, KvItem, KvStorage } from '@rr/contracts';
import { isRrError } from '@rr/errors';
import type { ServerConnection, Reply } from './connection.js';
import { memcachedErrors } from './errors.js';
import { serverIndex, wireKey, type WireKey } from './keys.js';

/** memcached reads `exptime` as a signed 32-bit number of seconds. */
const MAX_EXPTIME = 2 ** 31 - 1;

/** One meta command: the key that routes it, and its bytes (strings are latin1, one char per byte). */
interface Command {
  readonly key: WireKey;
  readonly parts: readonly (string | Uint8Array)[];
}

interface Answer {
  readonly reply: Reply;
  readonly address: string;
}

/**
 * memcached's `exptime` for a deadline: absolute unix seconds, which memcached reads as such because they
 * exceed 30 days, so the deadline holds to the second however long the command took to arrive. Rounded up:
 * memcached expires on whole seconds, and an item must never vanish before its deadline. A deadline past
 * 2038-01-19 does not fit memcached's 32-bit field and is stored without expiry (0).
 */
export function exptime(expiresAt: number): number {
  const seconds = Math.ceil(expiresAt / 1000);
  return Number.isFinite(seconds) && seconds <= MAX_EXPTIME ? seconds : 0;
}

const isPast = (expiresAt: number | undefined): boolean => expiresAt !== undefined && expiresAt <= Date.now();

/**
 * A kv storage on one or more memcached servers, spoken to with the meta protocol (`mg`, `ms`, `md`).
 * Each key lives on the server `crc32(key) % servers` picks; a batch is split by server and each part is
 * pipelined on that server's connection, the parts running concurrently.
 */
export class MemcachedStorage implements KvStorage {
  constructor(
    private readonly servers: readonly ServerConnection[],
    private readonly name: string,
  ) {}

  async has(keys: readonly string[]): Promise<string[]> {
    const unique = [...new Set(keys)].map(wireKey);
    // `mg` without flags: HD or EN, no value on the wire.
    const answers = await this.run(unique.map((key) => ({ key, parts: [`mg ${key.token}${key.flag}\r\n`] })));
    return unique.filter((key, i) => this.check(answers[i] as Answer, key, ['HD', 'EN']) === 'HD').map((key) => key.key);
  }

  async mget(keys: readonly string[]): Promise<Map<string, Uint8Array>> {
    const wire = keys.map(wireKey);
    const answers = await this.run(wire.map((key) => ({ key, parts: [`mg ${key.token}${key.flag} v\r\n`] })));
    const out = new Map<string, Uint8Array>();
    wire.forEach((key, i) => {
      const answer = answers[i] as Answer;
      if (this.check(answer, key, ['VA', 'EN']) === 'VA') out.set(key.key, answer.reply.data ?? new Uint8Array(0));
    });
    return out;
  }

  async set(items: readonly KvItem[]): Promise<void> {
    const wire = items.map((item) => wireKey(item.key));
    const commands = items.map((item, i): Command => {
      const key = wire[i] as WireKey;
      if (isPast(item.expiresAt)) return { key, parts: [`md ${key.token}${key.flag}\r\n`] };
      const ttl = item.expiresAt === undefined ? 0 : exptime(item.expiresAt);
      return { key, parts: [`ms ${key.token} ${item.value.length}${key.flag}${ttl === 0 ? '' : ` T${ttl}`}\r\n`, item.value, '\r\n'] };
    });
    const answers = await this.run(commands);
    items.forEach((item, i) => this.check(answers[i] as Answer, wire[i] as WireKey, ['HD', 'NF'], item.value.length));
  }

  async mexpire(items: readonly KvExpiry[]): Promise<void> {
    const wire = items.map((item) => wireKey(item.key));
    // `mg <key> T<exptime>` is memcached's touch; a missing key answers EN and is left absent.
    const commands = items.map((item, i): Command => {
      const key = wire[i] as WireKey;
      const command = isPast(item.expiresAt) ? `md ${key.token}${key.flag}` : `mg ${key.token}${key.flag} T${exptime(item.expiresAt)}`;
      return { key, parts: [`${command}\r\n`] };
    });
    const answers = await this.run(commands);
    wire.forEach((key, i) => this.check(answers[i] as Answer, key, ['HD', 'NF', 'EN']));
  }

  /** @throws RR_ERR_MEMCACHED_TTL_UNSUPPORTED, always: memcached cannot read a deadline back. */
  ttl(_keys: readonly string[]): Promise<Map<string, number | null>> {
    return Promise.reject(memcachedErrors.TTL_UNSUPPORTED(this.name));
  }

  async delete(keys: readonly string[]): Promise<void> {
    const wire = keys.map(wireKey);
    const answers = await this.run(wire.map((key) => ({ key, parts: [`md ${key.token}${key.flag}\r\n`] })));
    wire.forEach((key, i) => this.check(answers[i] as Answer, key, ['HD', 'NF']));
  }

  /** `flush_all` on every server: memcached has no namespaces, so this empties the servers entirely. */
  async clear(): Promise<void> {
    const results = await Promise.allSettled(this.servers.map((server) => server.exec([Buffer.from('flush_all\r\n')], 1)));
    results.forEach((result, i) => {
      if (result.status === 'rejected') throw result.reason;
      const head = result.value[0]?.head ?? '';
      if (head !== 'OK') throw memcachedErrors.PROTOCOL((this.servers[i] as ServerConnection).address, head);
    });
  }

  async close(signal: AbortSignal): Promise<void> {
    await Promise.all(this.servers.map((server) => server.close(signal)));
  }

  /**
   * Asks every server for `mn` (the meta no-op), so a server that does not speak the meta protocol fails
   * the open; an unreachable one only logs (the storage works once it answers).
   *
   * @throws RR_ERR_MEMCACHED_PROTOCOL
   */
  async probe(): Promise<void> {
    await Promise.all(
      this.servers.map(async (server) => {
        const replies = await server.exec([Buffer.from('mn\r\n')], 1).catch((err: unknown) => {
          if (isRrError(err, memcachedErrors.UNAVAILABLE.code)) return undefined;
          throw err;
        });
        const head = replies?.[0]?.head;
        if (head !== undefined && head !== 'MN') throw memcachedErrors.PROTOCOL(server.address, head);
      }),
    );
  }

  /** Sends each command to its key's server and returns the answers in command order. */
  private async run(commands: readonly Command[]): Promise<Answer[]> {
    const answers = new Array<Answer>(commands.length);
    const byServer = new Map<number, number[]>();
    commands.forEach((command, i) => {
      const index = serverIndex(command.key, this.servers.length);
      const positions = byServer.get(index);
      if (positions === undefined) byServer.set(index, [i]);
      else positions.push(i);
    });
    await Promise.all(
      [...byServer].map(async ([index, positions]) => {
        const server = this.servers[index] as ServerConnection;
        const replies = await server.exec(
          pack(positions.flatMap((p) => (commands[p] as Command).parts)),
          positions.length,
        );
        positions.forEach((p, i) => {
          answers[p] = { reply: replies[i] as Reply, address: server.address };
        });
      }),
    );
    return answers;
  }

  /** The reply's code when it is one of `expected`; otherwise the coded error it stands for. */
  private check(answer: Answer, key: WireKey, expected: readonly string[], valueBytes = 0): string {
    const { head } = answer.reply;
    const code = head.split(' ', 1)[0] as string;
    if (expected.includes(code)) return code;
    const details = { details: { key: key.key, address: answer.address, reply: head } };
    if (head.startsWith('SERVER_ERROR object too large')) throw memcachedErrors.VALUE_TOO_LARGE(key.key, valueBytes, answer.address, details);
    if (head.startsWith('SERVER_ERROR')) throw memcachedErrors.SERVER_ERROR(answer.address, key.key, head, details);
    throw memcachedErrors.PROTOCOL(answer.address, head, details);
  }
}

/** Joins neighbouring strings into one latin1 buffer, so a batch of small commands is a handful of writes. */
function pack(parts: readonly (string | Uint8Array)[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  let text = '';
  for (const part of parts) {
    if (typeof part === 'string') {
      text += part;
      continue;
    }
    if (text !== '') out.push(Buffer.from(text, 'latin1'));
    text = '';
    out.push(part);
  }
  if (text !== '') out.push(Buffer.from(text, 'latin1'));
  return out;
}
