import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A port the OS just handed out, released for the server under test to take. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** A parsed RESP2 reply: simple strings and bulk strings as strings, errors as Error, arrays as arrays. */
export type Reply = string | number | null | Error | Reply[];

/** Parses one RESP2 reply at `at`; undefined while the reply is incomplete. */
function parseReply(data: string, at: number): [Reply, number] | undefined {
  const eol = data.indexOf('\r\n', at);
  if (eol === -1) return undefined;
  const head = data.slice(at + 1, eol);
  const next = eol + 2;
  switch (data[at]) {
    case '+':
      return [head, next];
    case '-':
      return [new Error(head), next];
    case ':':
      return [Number(head), next];
    case '$': {
      const length = Number(head);
      if (length < 0) return [null, next];
      if (data.length < next + length + 2) return undefined;
      return [data.slice(next, next + length), next + length + 2];
    }
    case '*': {
      const count = Number(head);
      const items: Reply[] = [];
      let pos = next;
      for (let i = 0; i < count; i++) {
        const item = parseReply(data, pos);
        if (item === undefined) return undefined;
        items.push(item[0]);
        pos = item[1];
      }
      return [count < 0 ? null : items, pos];
    }
    default:
      return [new Error(`unexpected reply ${JSON.stringify(data.slice(at, at + 20))}`), data.length];
  }
}

/**
 * Sends inline commands on a fresh connection and resolves with their replies, or undefined when nothing
 * answers (a probe that needs no client library; keys and values must be ASCII without spaces).
 */
export async function ask(port: number, lines: string[], timeoutMs = 1000): Promise<Reply[] | undefined> {
  return new Promise((resolve) => {
    const socket = new Socket();
    let data = '';
    const done = (value: Reply[] | undefined) => {
      socket.destroy();
      resolve(value);
    };
    socket.setTimeout(timeoutMs, () => done(undefined));
    socket.once('error', () => done(undefined));
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      data += chunk;
      const replies: Reply[] = [];
      let pos = 0;
      while (replies.length < lines.length) {
        const reply = parseReply(data, pos);
        if (reply === undefined) return;
        replies.push(reply[0]);
        pos = reply[1];
      }
      done(replies);
    });
    socket.connect(port, '127.0.0.1', () => socket.write(lines.map((l) => `${l}\r\n`).join('')));
  });
}

export async function until(check: () => Promise<boolean> | boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** A redis-server (or sentinel) of this test alone, on a port of its own, without persistence. */
export interface PrivateServer {
  port: number;
  dir: string;
  /** Starts it (again, on the same port) and resolves once it answers PING. */
  start(): Promise<void>;
  /** SIGKILLs it and resolves once the process is gone. */
  kill(): Promise<void>;
  /** SIGSTOP / SIGCONT: a server that keeps its connections open and stops answering. */
  pause(): void;
  resume(): void;
}

const started = new Set<ChildProcess>();
const dirs = new Set<string>();
// If the test process dies before afterAll, its servers die with it.
process.once('exit', () => {
  for (const child of started) child.kill('SIGKILL');
});

/** Kills every private server still running and removes their directories (afterAll, and on failure). */
export async function killAll(): Promise<void> {
  await Promise.all([...started].map((child) => stopChild(child)));
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  dirs.clear();
}

async function stopChild(child: ChildProcess): Promise<void> {
  started.delete(child);
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGKILL');
  await exited;
}

/**
 * Prepares a private server. `args` are extra redis-server arguments; `sentinelConf` makes it a sentinel
 * (redis-server <conf> --sentinel, the conf rewritten by the sentinel itself, so it lives in the temp dir).
 */
export async function privateServer(options: { args?: string[]; sentinelConf?: (port: number) => string; ready?: string[] } = {}): Promise<PrivateServer> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'rr-redis-test-'));
  dirs.add(dir);
  let child: ChildProcess | undefined;
  const args = (): string[] => {
    const base = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--loglevel', 'warning'];
    if (options.sentinelConf === undefined) return [...base, ...(options.args ?? [])];
    const conf = join(dir, 'sentinel.conf');
    writeFileSync(conf, options.sentinelConf(port));
    return [conf, '--sentinel', ...base.slice(0, 4), '--dir', dir, ...(options.args ?? [])];
  };
  return {
    port,
    dir,
    async start() {
      child = spawn('redis-server', args(), { stdio: ['ignore', 'ignore', 'inherit'] });
      started.add(child);
      const probe = options.ready ?? ['PING'];
      await until(async () => (await ask(port, probe)) !== undefined, 5000, `redis-server on port ${port} answers`);
    },
    async kill() {
      if (child !== undefined) await stopChild(child);
    },
    pause() {
      child?.kill('SIGSTOP');
    },
    resume() {
      child?.kill('SIGCONT');
    },
  };
}
