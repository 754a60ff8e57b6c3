/* global setTimeout, Buffer */
// Loopback helpers: free ports (bind 127.0.0.1:0), one-off GETs, readiness polling.
import http from 'node:http';
import net from 'node:net';

/** A port free right now on 127.0.0.1, found by binding port 0 and closing. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = /** @type {net.AddressInfo} */ (server.address());
      server.close(() => resolve(port));
    });
  });
}

/** One GET without keep-alive; resolves { status, headers, body } or rejects (timeout included). */
export function get(url, timeoutMs = 5000) {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent: false, timeout: timeoutMs }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${url}: timeout after ${timeoutMs} ms`)));
    req.on('error', reject);
  });
}

/**
 * Polls `url` until it answers 200 with `expect` in the body, `proc` dies, or `timeoutMs` passes.
 *
 * @param {string} url
 * @param {{ timeoutMs?: number, expect?: string, proc?: { alive: () => boolean, name: string } }} [options]
 */
export async function waitReady(url, options = {}) {
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  let last = 'no answer';
  while (Date.now() < deadline) {
    if (options.proc !== undefined && !options.proc.alive()) throw new Error(`${options.proc.name} exited before it was ready (${last})`);
    try {
      const res = await get(url, 2000);
      if (res.status === 200 && (options.expect === undefined || res.body.includes(options.expect))) return res;
      last = `status ${res.status}: ${res.body.slice(0, 200)}`;
    } catch (err) {
      last = err instanceof Error ? err.message : String(err);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} not ready within ${options.timeoutMs ?? 30_000} ms (${last})`);
}

/** Resolves once 127.0.0.1:port accepts a TCP connection (a listener's readiness probe). */
export async function waitForPort(port, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise((resolve) => {
      const s = net.connect(port, '127.0.0.1', () => (s.destroy(), resolve(true)));
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`port ${port} did not open within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
