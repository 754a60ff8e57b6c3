import { request } from 'node:http';
import { mkdirSync, readdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { phpSdk, repoRoot } from '../../helpers/paths.js';
import { httpConfig, startRr, type RrProcess } from '../../helpers/rr.js';

// The http features through the built rr, answered by the php-sdk example worker (plain HttpWorker API).
let rr: RrProcess;

beforeAll(async () => {
  rr = await startRr({
    config: httpConfig(`${phpSdk}/examples/http-worker.php`).replace('http:\n  address: 127.0.0.1:0\n', 'http:\n  address: 127.0.0.1:0\n  max_request_size: 1\n'),
    files: {},
  });
});
afterAll(() => rr.stop());

describe('http through the built rr', () => {
  it('answers from a long-lived PHP worker', async () => {
    const res = await fetch(`${rr.httpUrl}/`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('hello');
  });

  it('sends the request context PHP expects (method, uri, headers, query, cookies, parsed form)', async () => {
    const res = await fetch(`${rr.httpUrl}/echo?x=1&y[]=2`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: 'session=a%20b; theme=dark', 'x-custom': 'v' },
      body: 'user[name]=ann&user[tags][]=a&user[tags][]=b',
    });
    expect(res.status).toBe(200);
    const echoed = (await res.json()) as Record<string, unknown>;
    expect(echoed).toMatchObject({
      method: 'POST',
      uri: `${rr.httpUrl}/echo?x=1&y[]=2`,
      query: { x: '1', y: ['2'] },
      cookies: { session: 'a b', theme: 'dark' },
      parsed: { user: { name: 'ann', tags: ['a', 'b'] } },
    });
    expect((echoed.headers as Record<string, string[]>)['X-Custom']).toEqual(['v']);
  });

  it('keeps several Set-Cookie headers apart', async () => {
    const res = await fetch(`${rr.httpUrl}/cookies`);
    expect(res.headers.getSetCookie()).toHaveLength(2);
  });

  it('passes the status the worker chose', async () => {
    expect((await fetch(`${rr.httpUrl}/status/418`)).status).toBe(418);
  });

  it('streams chunks as the worker sends them', async () => {
    const res = await fetch(`${rr.httpUrl}/stream?n=12`);
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text.split('\n').filter(Boolean)).toEqual(Array.from({ length: 12 }, (_, i) => `chunk ${String(i + 1).padStart(3, '0')}`));
  });

  it('sends 103 Early Hints before the final response', async () => {
    const hints: string[] = [];
    const { status, body } = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(`${rr.httpUrl}/early-hints`, (res) => {
        let body = '';
        res.setEncoding('utf8').on('data', (d: string) => (body += d)).on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('information', (info) => hints.push(`${info.statusCode} ${String(info.headers.link)}`));
      req.on('error', reject);
      req.end();
    });
    expect(hints).toHaveLength(1);
    expect(hints[0]).toMatch(/^103 .*preload/);
    expect(status).toBe(200);
    expect(body).toBe('early hints sent');
  });

  it('turns a worker error into a 500 without leaking its text', async () => {
    const res = await fetch(`${rr.httpUrl}/error`);
    expect(res.status).toBe(500);
    expect(await res.text()).not.toContain('boom');
    expect((await fetch(`${rr.httpUrl}/`)).status).toBe(200);
  });

  it('refuses bodies over max_request_size with 413', async () => {
    const res = await fetch(`${rr.httpUrl}/echo`, { method: 'POST', body: Buffer.alloc(2 * 1024 * 1024, 97) });
    expect(res.status).toBe(413);
  });
});

describe('uploads through the built rr', () => {
  it('hands files to PHP as temp files, refuses forbidden extensions, and removes the files after', async () => {
    const up = await startRr({
      config: httpConfig(`${repoRoot}/e2e/workers/faults.php`).replace(
        'http:\n  address: 127.0.0.1:0\n',
        'http:\n  address: 127.0.0.1:0\n  uploads:\n    dir: uploads\n    forbid: [".php"]\n',
      ),
      env: { RR_PHP_SDK: phpSdk },
      files: {},
    });
    try {
      mkdirSync(`${up.dir}/uploads`, { recursive: true });
      const form = new FormData();
      form.append('note', 'hi');
      form.append('doc', new Blob(['file body']), 'a.txt');
      form.append('evil', new Blob(['<?php']), 'x.php');
      const res = await fetch(`${up.httpUrl}/uploads`, { method: 'POST', body: form });
      expect(res.status, JSON.stringify(up.logs.filter((l) => l.level !== 'info'))).toBe(200);
      const echoed = (await res.json()) as { files: Record<string, { name: string; size: number; error: number; content: string | null }>; parsed: unknown };
      expect(echoed.parsed).toEqual({ note: 'hi' });
      expect(echoed.files.doc).toMatchObject({ name: 'a.txt', size: 9, error: 0, content: 'file body' });
      expect(echoed.files.evil).toMatchObject({ name: 'x.php', error: 8, content: null });
      // rr removes temp files once the response has finished, which can trail the client's last byte.
      const deadline = Date.now() + 5_000;
      while (readdirSync(`${up.dir}/uploads`).length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(readdirSync(`${up.dir}/uploads`)).toEqual([]);
    } finally {
      await up.stop();
    }
  });
});
