import { spawn, type ChildProcess } from 'node:child_process';
import { connect, createServer } from 'node:net';

/** A private redis-server for outage tests: the machine's shared Redis is never stopped. */
export interface RedisServer {
  readonly port: number;
  /** (Re)starts the server on the same port and resolves once it answers PING. */
  start(): Promise<void>;
  /** Kills the server (SIGKILL: an outage, not a shutdown) and waits for it to exit. */
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** Resolves once `PING` on 127.0.0.1:port answers `+PONG` (the readiness probe), within `timeoutMs`. */
async function waitForPong(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const pong = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.setTimeout(500, () => socket.destroy());
      socket.once('connect', () => socket.write('PING\r\n'));
      socket.once('data', (d) => {
        socket.destroy();
        resolve(d.toString().startsWith('+PONG'));
      });
      socket.once('error', () => resolve(false));
      socket.once('close', () => resolve(false));
    });
    if (pong) return;
    if (Date.now() > deadline) throw new Error(`private redis-server on port ${port} did not answer PING within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/**
 * Starts `redis-server` (Debian's binary) on a free loopback port with persistence off, ready when it
 * answers PING. Stop it in afterAll; `stop()` + `start()` simulate an outage and the recovery.
 */
export async function startRedisServer(options: { binary?: string; args?: readonly string[] } = {}): Promise<RedisServer> {
  const port = await freePort();
  let child: ChildProcess | undefined;
  const server: RedisServer = {
    port,
    async start() {
      if (child !== undefined && child.exitCode === null && child.signalCode === null) return;
      const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', ...(options.args ?? [])];
      child = spawn(options.binary ?? 'redis-server', args, { stdio: 'ignore' });
      const failed = new Promise<never>((_, reject) => {
        child?.once('error', reject);
        child?.once('exit', (code) => reject(new Error(`redis-server exited with ${code} before answering PING`)));
      });
      failed.catch(() => undefined);
      await Promise.race([waitForPong(port, 10_000), failed]);
    },
    async stop() {
      const c = child;
      if (c === undefined || c.exitCode !== null || c.signalCode !== null) return;
      const exited = new Promise((resolve) => c.once('exit', resolve));
      c.kill('SIGKILL');
      await exited;
    },
  };
  await server.start();
  return server;
}
