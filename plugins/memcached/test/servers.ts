import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer, Socket } from 'node:net';

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

/**
 * Sends raw protocol text (latin1: one char per byte, so `Buffer.from(…).toString('latin1')` passes raw
 * bytes) and resolves with the raw reply once it ends with `until` (or whatever came
 * within `timeoutMs`; undefined when nothing answered).
 */
export async function ask(target: { port: number } | { path: string }, text: string, until = '\r\n', timeoutMs = 1000): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = new Socket();
    let reply = '';
    const done = (value: string | undefined) => {
      socket.destroy();
      resolve(value);
    };
    socket.setTimeout(timeoutMs, () => done(reply === '' ? undefined : reply));
    socket.once('error', () => done(undefined));
    socket.on('data', (chunk) => {
      reply += chunk.toString('latin1');
      if (reply.endsWith(until)) done(reply);
    });
    socket.connect({ ...target, ...('port' in target ? { host: '127.0.0.1' } : {}) }, () => socket.write(text, 'latin1'));
  });
}

export async function until(check: () => Promise<boolean> | boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** A memcached of one test alone, on a port (or unix socket) of its own. */
export interface PrivateMemcached {
  readonly port: number;
  /** `127.0.0.1:<port>`, or the socket path: what goes in `addr`. */
  readonly address: string;
  /** Starts it (again, on the same port) and resolves once it answers `version`. */
  start(): Promise<void>;
  /** SIGKILLs it (an outage, not a shutdown) and resolves once the process is gone. */
  kill(): Promise<void>;
  /** SIGSTOP, resolved once the process is stopped: a server that keeps its connections and stops answering. */
  pause(): Promise<void>;
  /** SIGCONT. */
  resume(): void;
}

const running = new Set<ChildProcess>();
// A test worker that ends without reaching afterAll (a timeout, a crash) must not leave servers behind.
process.once('exit', () => {
  for (const c of running) c.kill('SIGKILL');
});

/**
 * Debian's memcached on a free loopback port (or `socket`), UDP off, 2 MiB item limit, 64 MiB of memory.
 * Call `start()`; `killAll()` in afterAll.
 */
export async function privateMemcached(options: { socket?: string } = {}): Promise<PrivateMemcached> {
  const port = options.socket === undefined ? await freePort() : 0;
  const target = options.socket === undefined ? { port } : { path: options.socket };
  let child: ChildProcess | undefined;
  const alive = () => child !== undefined && child.exitCode === null && child.signalCode === null;
  const address = options.socket ?? `127.0.0.1:${port}`;
  return {
    port,
    address,
    async start() {
      if (alive()) return;
      const listen = options.socket === undefined ? ['-p', String(port), '-l', '127.0.0.1'] : ['-s', options.socket];
      // memcached refuses to run as root unless told which user to be.
      const user = process.getuid?.() === 0 ? ['-u', 'root'] : [];
      const proc = spawn('memcached', [...listen, '-U', '0', '-I', '2m', '-m', '64', ...user], { stdio: ['ignore', 'ignore', 'pipe'] });
      child = proc;
      running.add(proc);
      let stderr = '';
      proc.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
      proc.once('exit', () => running.delete(proc));
      const exited = new Promise<never>((_, reject) => {
        proc.once('error', reject);
        proc.once('exit', (code) => reject(new Error(`memcached exited with ${code} before answering: ${stderr.trim()}`)));
      });
      exited.catch(() => undefined);
      const answers = until(async () => (await ask(target, 'version\r\n', '\r\n', 250))?.startsWith('VERSION ') === true, 10_000, `memcached at ${address}`);
      await Promise.race([answers, exited]);
    },
    async kill() {
      const c = child;
      if (c === undefined || !alive()) return;
      const gone = new Promise((resolve) => c.once('exit', resolve));
      c.kill('SIGKILL');
      await gone;
    },
    async pause() {
      const pid = child?.pid;
      if (pid === undefined || !alive()) return;
      child?.kill('SIGSTOP');
      // The signal lands asynchronously, thread by thread: a request sent before every worker thread is
      // stopped would still be answered.
      const stopped = () => readdirSync(`/proc/${pid}/task`).every((tid) => /^\d+ \(.*\) T/.test(readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8')));
      await until(stopped, 2000, 'memcached stopped');
    },
    resume() {
      child?.kill('SIGCONT');
    },
  };
}

/** SIGKILLs every memcached these helpers started and waits for them to exit. */
export async function killAll(): Promise<void> {
  await Promise.all(
    [...running].map(async (c) => {
      if (c.exitCode !== null || c.signalCode !== null) return;
      const gone = new Promise((resolve) => c.once('exit', resolve));
      c.kill('SIGKILL');
      await gone;
    }),
  );
}
