import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { startRedisServer } from '../src/index.js';

/** One inline command on a fresh connection; resolves the first reply line, or the connection error code. */
function command(port: number, line: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(`${line}\r\n`));
    socket.once('data', (d) => {
      socket.destroy();
      resolve(d.toString().trim());
    });
    socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? 'error'));
  });
}

describe('startRedisServer', () => {
  it('runs a private server that can go away and come back on the same port', async () => {
    const redis = await startRedisServer();
    try {
      expect(await command(redis.port, 'SET k v')).toBe('+OK');
      await redis.stop();
      expect(await command(redis.port, 'PING')).toBe('ECONNREFUSED');
      await redis.start();
      // Persistence is off: the restarted server starts empty, as after a real crash without AOF.
      expect(await command(redis.port, 'GET k')).toBe('$-1');
    } finally {
      await redis.stop();
    }
  });
});
