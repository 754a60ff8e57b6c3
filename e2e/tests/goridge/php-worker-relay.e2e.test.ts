import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CODEC_JSON, CONTROL, RelayListener, StreamRelay, encodeData, encodeFrame, handshake, type Relay } from '@rr/goridge';
import { afterEach, describe, expect, it } from 'vitest';
import { php, phpSdk } from '../../helpers/paths.js';

// The worker side of the protocol in PHP (php-sdk) against the relays and handshake in TypeScript.
const echoWorker = join(phpSdk, 'examples/echo-worker.php');
const children: ChildProcessWithoutNullStreams[] = [];
const dirs: string[] = [];

afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function spawnWorker(relay: string): ChildProcessWithoutNullStreams {
  const child = spawn(php, [echoWorker], { env: { ...process.env, RR_MODE: 'http', RR_RELAY: relay }, stdio: ['pipe', 'pipe', 'pipe'] });
  children.push(child);
  return child;
}

function exited(child: ChildProcessWithoutNullStreams): Promise<number | null> {
  return new Promise((resolve) => (child.exitCode !== null ? resolve(child.exitCode) : child.once('exit', (code) => resolve(code))));
}

async function exchange(relay: Relay, pid: number, child: ChildProcessWithoutNullStreams): Promise<void> {
  for (let i = 0; i < 50; i++) {
    const context = Buffer.from(JSON.stringify({ n: i }));
    const body = Buffer.from(`payload ${i} `.repeat(i * 100));
    await relay.send(encodeData(CODEC_JSON, context, body, 0));
    const frame = await relay.receive(5_000);
    const split = frame.options[0] ?? 0;
    expect(Buffer.from(frame.payload.subarray(0, split)).toString()).toBe(context.toString());
    expect(Buffer.from(frame.payload.subarray(split)).equals(body)).toBe(true);
  }
  expect(pid).toBe(child.pid);
  // Soft stop: the worker leaves its loop and exits cleanly.
  await relay.send(encodeFrame({ flags: CONTROL | CODEC_JSON, payload: Buffer.from('{"stop":true}') }));
  expect(await exited(child)).toBe(0);
}

describe('PHP worker ↔ TypeScript relay', () => {
  it('handshakes and serves 50 payloads over pipes, then stops on request', async () => {
    const child = spawnWorker('pipes');
    const relay = new StreamRelay(child.stdout, child.stdin);
    const pid = await handshake(relay, process.pid, 5_000);
    await exchange(relay, pid, child);
    await relay.close();
  });

  it('handshakes and serves over a unix socket the worker connects to', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rr-e2e-relay-'));
    dirs.push(dir);
    const listener = await RelayListener.listen(`unix://${join(dir, 'relay.sock')}`, { handshakeTimeoutMs: 5_000 });
    try {
      const child = spawnWorker(`unix://${join(dir, 'relay.sock')}`);
      const relay = await listener.waitForPid(child.pid ?? -1, 5_000);
      await exchange(relay, child.pid ?? -1, child);
    } finally {
      await listener.close();
    }
  });

  it('handshakes and serves over tcp', async () => {
    const listener = await RelayListener.listen('tcp://127.0.0.1:0', { handshakeTimeoutMs: 5_000 });
    try {
      const child = spawnWorker(listener.address);
      const relay = await listener.waitForPid(child.pid ?? -1, 5_000);
      await exchange(relay, child.pid ?? -1, child);
    } finally {
      await listener.close();
    }
  });
});
