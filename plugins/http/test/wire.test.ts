import { describe, expect, it } from 'vitest';
import { decodeProtoResponse, encodeProtoRequest, encodeProtoResponse } from '../src/proto.js';
import { canonicalHeaderName, collectHeaders, parseCookies } from '../src/request.js';
import { decodeResponseContext, escapeHtml, prepareHeaders, sniffContentType } from '../src/response.js';

/** A minimal generic protobuf reader for checking the encoder: field → list of raw values. */
function readProto(buf: Buffer): [number, number | Buffer][] {
  const out: [number, number | Buffer][] = [];
  let pos = 0;
  const varint = () => {
    let r = 0;
    let s = 0;
    for (;;) {
      const b = buf[pos++] as number;
      r += (b & 0x7f) * 2 ** s;
      if (b < 0x80) return r;
      s += 7;
    }
  };
  while (pos < buf.length) {
    const tag = varint();
    if ((tag & 7) === 0) out.push([tag >>> 3, varint()]);
    else {
      const len = varint();
      out.push([tag >>> 3, buf.subarray(pos, pos + len)]);
      pos += len;
    }
  }
  return out;
}

describe('http.v1.Request encoder', () => {
  it('writes fields in order, omits empty ones, encodes maps as HeaderValue entries', () => {
    const buf = encodeProtoRequest({
      remoteAddr: '127.0.0.1',
      protocol: 'HTTP/1.1',
      method: 'GET',
      uri: 'http://h/p?q=1',
      headers: { Accept: ['a', 'b'] },
      cookies: {},
      rawQuery: 'q=1',
      parsed: true,
      uploads: '',
      attributes: {},
    });
    const fields = readProto(buf);
    expect(fields.map(([f]) => f)).toEqual([1, 2, 3, 4, 5, 7, 8]);
    expect(fields.slice(0, 4).map(([, v]) => v.toString())).toEqual(['127.0.0.1', 'HTTP/1.1', 'GET', 'http://h/p?q=1']);
    const entry = readProto(fields[4]?.[1] as Buffer);
    expect(entry[0]?.[1].toString()).toBe('Accept');
    expect(readProto(entry[1]?.[1] as Buffer).map(([, v]) => v.toString())).toEqual(['a', 'b']);
    expect(fields[6]).toEqual([8, 1]);
  });

  it('sizes multi-byte UTF-8 and long values exactly', () => {
    const long = 'é'.repeat(200);
    const buf = encodeProtoRequest({
      remoteAddr: '',
      protocol: '',
      method: 'POST',
      uri: long,
      headers: {},
      cookies: { c: long },
      rawQuery: '',
      parsed: false,
      uploads: '{"f":1}',
      attributes: { ipAddress: '10.0.0.1' },
    });
    const fields = readProto(buf);
    expect(fields.map(([f]) => f)).toEqual([3, 4, 6, 9, 10]);
    expect(fields[1]?.[1].toString()).toBe(long);
  });
});

describe('http.v1.Response decoder', () => {
  it('round-trips status and repeated headers', () => {
    const ctx = decodeProtoResponse(encodeProtoResponse(201, { 'Set-Cookie': ['a=1', 'b=2'], 'X-A': ['x'] }));
    expect(ctx).toEqual({ status: 201, headers: { 'Set-Cookie': ['a=1', 'b=2'], 'X-A': ['x'] } });
  });

  it('skips unknown fields and rejects truncated bytes', () => {
    const withUnknown = Buffer.concat([Buffer.from([0x18, 0x05, 0x25, 1, 2, 3, 4]), encodeProtoResponse(204, {})]);
    expect(decodeProtoResponse(withUnknown).status).toBe(204);
    expect(() => decodeProtoResponse(Buffer.from([0x12, 0x05, 0x0a]))).toThrow();
  });

  it('decodes JSON contexts whatever the codec except 0x80', () => {
    const json = { context: Buffer.from('{"status":302,"headers":{"Location":["/x"]}}'), body: Buffer.alloc(0) };
    expect(decodeResponseContext({ ...json, codec: 0 })).toEqual({ status: 302, headers: { Location: ['/x'] } });
    expect(decodeResponseContext({ ...json, codec: 0x08 })).toEqual({ status: 302, headers: { Location: ['/x'] } });
    expect(decodeResponseContext({ context: Buffer.from('{"status":200,"headers":[]}'), body: Buffer.alloc(0), codec: 0 })).toEqual({ status: 200, headers: {} });
    expect(decodeResponseContext({ context: Buffer.alloc(0), body: Buffer.from('x'), codec: 0 })).toBeUndefined();
    expect(() => decodeResponseContext({ context: Buffer.from('{nope'), body: Buffer.alloc(0), codec: 0x08 })).toThrow(
      expect.objectContaining({ code: 'RR_ERR_HTTP_BAD_RESPONSE' }),
    );
  });
});

describe('request helpers', () => {
  it.each([
    ['content-type', 'Content-Type'],
    ['X-FORWARDED-FOR', 'X-Forwarded-For'],
    ['x_under_score', 'X_under_score'],
    ['dnt', 'Dnt'],
    ['www-authenticate', 'Www-Authenticate'],
  ])('canonical %s → %s', (name, canonical) => {
    expect(canonicalHeaderName(name)).toBe(canonical);
  });

  it('collects every header line separately, without Host', () => {
    const { headers, cookieLines } = collectHeaders(['Host', 'h', 'accept', 'a', 'Accept', 'b', 'cookie', 'x=1', 'COOKIE', 'y=2']);
    expect(JSON.stringify(headers)).toBe('{"Accept":["a","b"],"Cookie":["x=1","y=2"]}');
    expect(cookieLines).toEqual(['x=1', 'y=2']);
  });

  it('parses cookies as Go plus QueryUnescape', () => {
    expect({ ...parseCookies(['a=1; b="q v"; c=%41+; bad name=1; d=%zz; e=x\\y; a=2', 'f']) }).toEqual({ a: '2', b: 'q v', c: 'A ', f: '' });
  });
});

describe('response helpers', () => {
  it('flattens headers, finds Content-Type/Length and moves trailers', () => {
    expect(prepareHeaders({ 'Set-Cookie': ['a', 'b'], 'content-type': ['x'], 'Content-Length': ['3'] })).toEqual({
      flat: ['Set-Cookie', 'a', 'Set-Cookie', 'b', 'content-type', 'x', 'Content-Length', '3'],
      hasContentType: true,
      hasLength: true,
      trailers: undefined,
    });
    expect(prepareHeaders({ Trailer: ['X-Sum, x-other'], 'X-Sum': ['1'], 'X-Other': ['2', '3'], A: ['a'] })).toEqual({
      flat: ['Trailer', 'X-Sum, x-other', 'A', 'a'],
      hasContentType: false,
      hasLength: false,
      trailers: { 'X-Sum': '1', 'X-Other': '2, 3' },
    });
  });

  it.each([
    ['<!DOCTYPE html><p>', 'text/html; charset=utf-8'],
    ['  <html>', 'text/html; charset=utf-8'],
    ['<?xml version="1.0"?>', 'text/xml; charset=utf-8'],
    ['hello', 'text/plain; charset=utf-8'],
    ['{"json":1}', 'text/plain; charset=utf-8'],
    ['%PDF-1.4', 'application/pdf'],
    ['\u0000\u0001', 'application/octet-stream'],
  ])('sniffs %j as %s', (body, type) => {
    expect(sniffContentType(Buffer.from(body, 'latin1'))).toBe(type);
  });

  it('escapes HTML as Go', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&#34;x&#34;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  });
});
