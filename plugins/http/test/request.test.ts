import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { connect } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { multipart, parseRaw, rawRequest, send } from './helpers/client.js';
import { startHttp, type RunningHttp } from './helpers/start.js';

interface Echo {
  context: string;
  body: string;
  files: { name: string; tmpName: string; exists: boolean; content: string | null }[];
}
const echoOf = (text: string): Echo & { ctx: Record<string, unknown>; bodyText: string } => {
  const e = JSON.parse(text) as Echo;
  return { ...e, ctx: JSON.parse(e.context) as Record<string, unknown>, bodyText: Buffer.from(e.body, 'base64').toString() };
};

const uploadDir = mkdtempSync(join(tmpdir(), 'rr-http-uploads-'));
let rr: RunningHttp;

beforeAll(async () => {
  rr = await startHttp({
    worker: 'raw-echo.php',
    http: { max_request_size: '64K', uploads: { dir: uploadDir, forbid: ['.php', 'exe'] } },
  });
});
afterAll(async () => {
  await rr?.stop();
  rmSync(uploadDir, { recursive: true, force: true });
});

describe('JSON request context', () => {
  it('sends exactly RoadRunner’s fields, in its order, with canonical headers and no Host', async () => {
    const raw = await rawRequest(
      rr.port,
      'GET /path/x?b=2&a=1 HTTP/1.1\r\n' +
        'Host: example.test:8080\r\n' +
        'x-custom-HEADER: v1\r\n' +
        'X-Custom-Header: v2\r\n' +
        'Cookie: theme=dark%20mode; bad=%zz; q="quoted"\r\n' +
        'cookie: plus=a+b; in valid=1\r\n' +
        'Connection: close\r\n\r\n',
    );
    const { status, body } = parseRaw(raw);
    expect(status).toBe(200);
    const echo = echoOf(body);
    expect(echo.context).toBe(
      JSON.stringify({
        remoteAddr: '127.0.0.1',
        protocol: 'HTTP/1.1',
        method: 'GET',
        uri: 'http://example.test:8080/path/x?b=2&a=1',
        headers: {
          'X-Custom-Header': ['v1', 'v2'],
          Cookie: ['theme=dark%20mode; bad=%zz; q="quoted"', 'plus=a+b; in valid=1'],
          Connection: ['close'],
        },
        cookies: { theme: 'dark mode', q: 'quoted', plus: 'a b' },
        rawQuery: 'b=2&a=1',
        parsed: false,
        uploads: null,
        attributes: {},
      }),
    );
    expect(echo.bodyText).toBe('');
  });

  it('keeps the protocol version and an empty query', async () => {
    const raw = await rawRequest(rr.port, 'GET / HTTP/1.0\r\nHost: h\r\n\r\n');
    const { ctx } = echoOf(parseRaw(raw).body);
    expect(ctx).toMatchObject({ protocol: 'HTTP/1.0', uri: 'http://h/', rawQuery: '', method: 'GET' });
  });

  it('passes other bodies raw, unparsed', async () => {
    const res = await send(`${rr.url}/api`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"x":[1,2]}' });
    const echo = echoOf(res.text);
    expect(echo.bodyText).toBe('{"x":[1,2]}');
    expect(echo.ctx).toMatchObject({ method: 'POST', parsed: false, uploads: null, headers: { 'Content-Type': ['application/json'] } });
  });

  it('reads a chunked body without Content-Length', async () => {
    const raw = await rawRequest(
      rr.port,
      'PUT /x HTTP/1.1\r\nHost: h\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n',
    );
    expect(echoOf(parseRaw(raw).body).bodyText).toBe('hello world');
  });

  it('does not read the body of OPTIONS and HEAD', async () => {
    const res = await send(`${rr.url}/`, { method: 'OPTIONS', headers: { 'content-type': 'text/plain', 'content-length': '7' }, body: 'ignored' });
    expect(echoOf(res.text).bodyText).toBe('');
    const head = await send(`${rr.url}/`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.text).toBe('');
  });
});

describe('url-encoded forms', () => {
  const post = (body: string) =>
    send(`${rr.url}/form`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded; charset=UTF-8' }, body });

  it('builds the nested form tree: a[b][c], a[], last value wins, spaces in names ignored', async () => {
    const res = await post('a[b][c]=1&a[b][d]=2&list[]=x&list[]=y&name=first&name=last&sp%20ace=s&e=&enc=%C3%A9+%26');
    const echo = echoOf(res.text);
    expect(echo.ctx['parsed']).toBe(true);
    expect(JSON.parse(echo.bodyText)).toEqual({
      a: { b: { c: '1', d: '2' } },
      list: ['x', 'y'],
      name: 'last',
      space: 's',
      e: '',
      enc: 'é &',
    });
  });

  it('sends {} for a form without fields', async () => {
    expect(echoOf((await post('')).text).bodyText).toBe('{}');
  });

  it('answers 400 when a key is both a value and a branch', async () => {
    expect((await post('a=1&a[b]=2')).status).toBe(400);
    expect((await post('a[b]=2&a=1')).status).toBe(400);
  });

  it('ignores empty values in such conflicts', async () => {
    expect(JSON.parse(echoOf((await post('a=&a[b]=2')).text).bodyText)).toEqual({ a: { b: '2' } });
    expect(JSON.parse(echoOf((await post('a[b]=2&a=')).text).bodyText)).toEqual({ a: { b: '2' } });
  });

  it('drops pairs with malformed escapes, as Go does', async () => {
    expect(JSON.parse(echoOf((await post('ok=1&bad=%zz&%zz=2')).text).bodyText)).toEqual({ ok: '1' });
  });
});

describe('multipart forms and uploads', () => {
  it('sends fields as the form tree and files as the uploads tree, then deletes the temp files', async () => {
    const form = multipart([
      { name: 'title', value: 'hello' },
      { name: 'meta[tags][]', value: 'a' },
      { name: 'meta[tags][]', value: 'b' },
      { name: 'docs[]', filename: 'one.txt', type: 'text/plain', content: 'first file' },
      { name: 'docs[]', filename: 'two.bin', type: 'application/octet-stream', content: Buffer.from([0, 1, 2, 255]) },
      { name: 'deep[a][b]', filename: 'deep.txt', type: 'text/plain', content: 'deep' },
      { name: 'avatar', filename: 'me.png', type: 'image/png', content: 'png!' },
      { name: 'avatar', filename: 'ignored.png', type: 'image/png', content: 'second' },
      { name: 'evil', filename: 'shell.PHP', type: 'text/plain', content: '<?php' },
      { name: 'tool', filename: 'x.exe', content: 'MZ' },
      { name: 'empty', filename: 'empty.txt', type: 'text/plain', content: '' },
    ]);
    const res = await send(`${rr.url}/upload`, { method: 'POST', headers: { 'content-type': form.contentType }, body: form.body });
    expect(res.status).toBe(200);
    const echo = echoOf(res.text);
    expect(echo.ctx['parsed']).toBe(true);
    expect(JSON.parse(echo.bodyText)).toEqual({ title: 'hello', meta: { tags: ['a', 'b'] } });
    const uploads = echo.ctx['uploads'] as Record<string, unknown>;
    const file = (name: string, mime: string, size: number, error = 0) => ({
      name,
      mime,
      size,
      error,
      tmpName: error === 0 ? expect.stringMatching(new RegExp(`^${uploadDir}/upload\\d+$`)) : '',
    });
    expect(uploads).toEqual({
      docs: [file('one.txt', 'text/plain', 10), file('two.bin', 'application/octet-stream', 4)],
      deep: { a: { b: file('deep.txt', 'text/plain', 4) } },
      avatar: file('me.png', 'image/png', 4),
      evil: file('shell.PHP', 'text/plain', 0, 8),
      tool: file('x.exe', 'text/plain', 0, 8),
      empty: file('empty.txt', 'text/plain', 0),
    });
    // Key order of a file object is RoadRunner's.
    expect(Object.keys((uploads['avatar'] as object) ?? {})).toEqual(['name', 'mime', 'size', 'error', 'tmpName']);
    const contents = Object.fromEntries(echo.files.map((f) => [f.name, f.content === null ? null : Buffer.from(f.content, 'base64').toString()]));
    expect(contents).toMatchObject({ 'one.txt': 'first file', 'deep.txt': 'deep', 'me.png': 'png!', 'empty.txt': '' });
    expect(echo.files.filter((f) => f.tmpName !== '').every((f) => f.exists)).toBe(true);
    await expect.poll(() => readdirSync(uploadDir)).toEqual([]);
  });

  it('sends an empty uploads tree for multipart without files', async () => {
    const form = multipart([{ name: 'a', value: '1' }]);
    const res = await send(`${rr.url}/`, { method: 'POST', headers: { 'content-type': form.contentType }, body: form.body });
    const echo = echoOf(res.text);
    expect(echo.ctx['uploads']).toEqual({});
    expect(echo.context).toContain('"parsed":true,"uploads":{},"attributes":{}');
  });

  it('removes the temp files of an upload the client abandons midway', async () => {
    const form = multipart([{ name: 'f', filename: 'half.txt', type: 'text/plain', content: 'z'.repeat(32 * 1024) }]);
    const socket = connect(rr.port, '127.0.0.1');
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    socket.write(`POST / HTTP/1.1\r\nHost: h\r\nContent-Type: ${form.contentType}\r\nContent-Length: ${form.body.length}\r\n\r\n`);
    socket.write(form.body.subarray(0, 20 * 1024));
    await expect.poll(() => readdirSync(uploadDir).length).toBe(1);
    socket.destroy();
    await expect.poll(() => readdirSync(uploadDir)).toEqual([]);
    expect((await send(`${rr.url}/after-abandon`)).status).toBe(200);
  });

  it('answers 400 for a multipart body without a boundary', async () => {
    const res = await send(`${rr.url}/`, { method: 'POST', headers: { 'content-type': 'multipart/form-data' }, body: 'x' });
    expect(res.status).toBe(400);
  });
});

describe('max_request_size', () => {
  it('answers 413 from Content-Length before reading the body', async () => {
    const raw = await rawRequest(rr.port, `POST / HTTP/1.1\r\nHost: h\r\nContent-Length: ${70 * 1024}\r\n\r\npartial`);
    const { status, headerLines } = parseRaw(raw);
    expect(status).toBe(413);
    expect(headerLines).toContain('Connection: close');
  });

  it('answers 413 when a chunked body grows past the limit', async () => {
    const chunk = 'x'.repeat(16 * 1024);
    const body = Array.from({ length: 5 }, () => `${(16 * 1024).toString(16)}\r\n${chunk}\r\n`).join('') + '0\r\n\r\n';
    const raw = await rawRequest(rr.port, `POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n${body}`);
    expect(parseRaw(raw).status).toBe(413);
  });

  it('answers 413 for an over-large multipart upload and leaves no temp file behind', async () => {
    const form = multipart([{ name: 'f', filename: 'big.txt', type: 'text/plain', content: 'y'.repeat(80 * 1024) }]);
    const head = `POST / HTTP/1.1\r\nHost: h\r\nContent-Type: ${form.contentType}\r\nTransfer-Encoding: chunked\r\n\r\n`;
    const raw = await rawRequest(rr.port, Buffer.concat([Buffer.from(head + `${form.body.length.toString(16)}\r\n`), form.body, Buffer.from('\r\n0\r\n\r\n')]));
    expect(parseRaw(raw).status).toBe(413);
    await expect.poll(() => readdirSync(uploadDir)).toEqual([]);
  });

  it('still serves normal requests afterwards', async () => {
    expect((await send(`${rr.url}/after`)).status).toBe(200);
  });
});

describe('raw_body and upload rules', () => {
  let raw: RunningHttp;
  const dir = mkdtempSync(join(tmpdir(), 'rr-http-rules-'));
  beforeAll(async () => {
    raw = await startHttp({ worker: 'raw-echo.php', http: { raw_body: true, uploads: { dir } } });
  });
  afterAll(async () => {
    await raw?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('passes url-encoded and multipart bodies unparsed with raw_body', async () => {
    const res = await send(`${raw.url}/`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'a[b]=1&c=%20' });
    const echo = echoOf(res.text);
    expect(echo.bodyText).toBe('a[b]=1&c=%20');
    expect(echo.ctx['parsed']).toBe(false);
    const form = multipart([{ name: 'f', filename: 'a.txt', content: 'x' }]);
    const res2 = await send(`${raw.url}/`, { method: 'POST', headers: { 'content-type': form.contentType }, body: form.body });
    const echo2 = echoOf(res2.text);
    expect(echo2.bodyText).toBe(form.body.toString());
    expect(echo2.ctx['uploads']).toBeNull();
    expect(existsSync(dir) && readdirSync(dir)).toEqual([]);
  });
});

describe('allow list', () => {
  let rules: RunningHttp;
  const dir = mkdtempSync(join(tmpdir(), 'rr-http-allow-'));
  beforeAll(async () => {
    rules = await startHttp({ worker: 'raw-echo.php', http: { uploads: { dir, allow: ['.TXT', '.md'], forbid: ['.md'] } } });
  });
  afterAll(async () => {
    await rules?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('accepts only allowed extensions (case-insensitive); forbid wins over allow', async () => {
    const form = multipart([
      { name: 'ok', filename: 'notes.Txt', content: 'a' },
      { name: 'png', filename: 'pic.png', content: 'b' },
      { name: 'md', filename: 'readme.md', content: 'c' },
      { name: 'none', filename: 'Makefile', content: 'd' },
    ]);
    const res = await send(`${rules.url}/`, { method: 'POST', headers: { 'content-type': form.contentType }, body: form.body });
    const uploads = echoOf(res.text).ctx['uploads'] as Record<string, { error: number }>;
    expect(Object.fromEntries(Object.entries(uploads).map(([k, v]) => [k, v.error]))).toEqual({ ok: 0, png: 8, md: 8, none: 8 });
  });
});
