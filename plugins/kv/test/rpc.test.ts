import { CODEC_JSON, CODEC_PROTO, CODEC_RAW } from '@rr/goridge';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { deadlineIn, encodeRequest, startKv, type KvHarness } from './helpers.js';

const RFC3339_PHP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+00:00$/;

describe('kv over goridge RPC', () => {
  let kv: KvHarness;
  beforeAll(async () => {
    kv = await startKv({ kv: { a: { driver: 'fake' }, b: { driver: 'fake' }, nottl: { driver: 'other', config: { ttl: false } } } });
  });
  afterEach(async () => {
    await kv.call('Clear', 'a');
    await kv.call('Clear', 'b');
    kv.world.calls.length = 0;
  });
  afterAll(async () => {
    await kv.close();
  });

  it('serves the kv namespace with RoadRunner’s seven methods', async () => {
    await expect(kv.client.call('kv.Get', encodeRequest('a'), CODEC_PROTO)).rejects.toMatchObject({ details: { text: "rpc: can't find method kv.Get" } });
    for (const method of ['Has', 'Set', 'MGet', 'MExpire', 'TTL', 'Delete', 'Clear']) expect(await kv.call(method, 'a')).toEqual([]);
  });

  it('Set stores values byte for byte and MGet returns the found ones in request order, each once', async () => {
    const binary = new Uint8Array(256).map((_, i) => i);
    expect((await kv.raw('Set', encodeRequest('a', [{ key: 'x', value: 'ex' }, { key: 'bin', value: binary }, { key: 'ünï cødé', value: '☃' }]))).length).toBe(0);
    const got = await kv.call('MGet', 'a', [{ key: 'ünï cødé' }, { key: 'missing' }, { key: 'bin' }, { key: 'x' }, { key: 'bin' }]);
    expect(got.map((i) => i.key)).toEqual(['ünï cødé', 'bin', 'x']);
    expect(got[0]?.value?.toString()).toBe('☃');
    expect(got[1]?.value?.equals(Buffer.from(binary))).toBe(true);
    expect(got.every((i) => i.timeout === undefined)).toBe(true);
  });

  it('Has answers only existing keys, with the key alone', async () => {
    await kv.call('Set', 'a', [{ key: 'here', value: 'v' }, { key: 'also', value: 'w' }]);
    expect(await kv.call('Has', 'a', [{ key: 'gone' }, { key: 'also' }, { key: 'here' }])).toEqual([{ key: 'also' }, { key: 'here' }]);
    expect(await kv.call('Has', 'b', [{ key: 'here' }])).toEqual([]);
  });

  it('TTL answers RFC 3339 in whole seconds with +00:00, "" for no expiry, nothing for absent keys', async () => {
    const later = deadlineIn(3600);
    await kv.call('Set', 'a', [{ key: 'temp', value: 'v', timeout: later.rfc3339 }, { key: 'forever', value: 'v' }]);
    const got = await kv.call('TTL', 'a', [{ key: 'temp' }, { key: 'forever' }, { key: 'absent' }]);
    expect(got).toEqual([{ key: 'temp', timeout: later.rfc3339 }, { key: 'forever' }]);
    expect(got[0]?.timeout).toMatch(RFC3339_PHP);
    expect(kv.world.calls.find((c) => c.method === 'set')?.arg).toMatchObject([{ key: 'temp', expiresAt: later.ms }, { key: 'forever', expiresAt: undefined }]);
  });

  it.each([
    ['PHP’s form', '2099-11-23T17:00:00+00:00', Date.UTC(2099, 10, 23, 17), '2099-11-23T17:00:00+00:00'],
    ['Z', '2099-11-23T17:00:00Z', Date.UTC(2099, 10, 23, 17), '2099-11-23T17:00:00+00:00'],
    ['lower-case t and z', '2099-11-23t17:00:00z', Date.UTC(2099, 10, 23, 17), '2099-11-23T17:00:00+00:00'],
    ['a positive offset', '2099-11-23T19:30:00+02:30', Date.UTC(2099, 10, 23, 17), '2099-11-23T17:00:00+00:00'],
    ['a negative offset across midnight', '2099-11-23T20:00:00-05:00', Date.UTC(2099, 10, 24, 1), '2099-11-24T01:00:00+00:00'],
    ['milliseconds', '2099-11-23T17:00:00.250Z', Date.UTC(2099, 10, 23, 17, 0, 0, 250), '2099-11-23T17:00:00+00:00'],
    ['nanoseconds, truncated', '2099-11-23T17:00:00.999999999+00:00', Date.UTC(2099, 10, 23, 17, 0, 0, 999), '2099-11-23T17:00:00+00:00'],
    ['one fraction digit', '2099-11-23T17:00:00.5Z', Date.UTC(2099, 10, 23, 17, 0, 0, 500), '2099-11-23T17:00:00+00:00'],
    ['a leap day', '2096-02-29T00:00:00Z', Date.UTC(2096, 1, 29), '2096-02-29T00:00:00+00:00'],
  ])('Set accepts %s and TTL answers it normalised', async (_name, timeout, ms, reply) => {
    await kv.call('Set', 'a', [{ key: 'k', value: 'v', timeout }]);
    expect(kv.world.calls.find((c) => c.method === 'set')?.arg).toMatchObject([{ key: 'k', expiresAt: ms }]);
    expect(await kv.call('TTL', 'a', [{ key: 'k' }])).toEqual([{ key: 'k', timeout: reply }]);
  });

  it.each([
    ['a word', 'tomorrow', 'not an RFC 3339 timestamp'],
    ['no offset', '2099-11-23T17:00:00', 'not an RFC 3339 timestamp'],
    ['a space for T', '2099-11-23 17:00:00+00:00', 'not an RFC 3339 timestamp'],
    ['a date alone', '2099-11-23', 'not an RFC 3339 timestamp'],
    ['a Unix timestamp', '4099999999', 'not an RFC 3339 timestamp'],
    ['an offset without colon', '2099-11-23T17:00:00+0000', 'not an RFC 3339 timestamp'],
    ['month 13', '2099-13-01T00:00:00Z', 'month out of range'],
    ['30 February', '2099-02-30T00:00:00Z', 'day out of range'],
    ['29 February of a common year', '2099-02-29T00:00:00Z', 'day out of range'],
    ['hour 24', '2099-11-23T24:00:00Z', 'hour out of range'],
    ['minute 60', '2099-11-23T17:60:00Z', 'minute out of range'],
    ['a leap second', '2099-11-23T17:00:60Z', 'second out of range'],
    ['an offset of 24 hours', '2099-11-23T17:00:00+24:00', 'time zone offset out of range'],
  ])('Set refuses %s as timeout, naming the key, and stores nothing of the batch', async (_name, timeout, problem) => {
    const text = await kv.fail('Set', 'a', [{ key: 'fine', value: 'v' }, { key: 'when', value: 'v', timeout }]);
    expect(text).toBe(`RR_ERR_KV_BAD_TIMEOUT: kv.Set: invalid timeout ${JSON.stringify(timeout)} for key "when": ${problem}${problem.startsWith('not') ? ' (expected e.g. 2026-11-23T17:00:00+00:00)' : ''}`);
    expect(kv.world.calls).toEqual([]);
  });

  it('MExpire sets deadlines on existing keys; an empty or invalid timeout is refused', async () => {
    const later = deadlineIn(600);
    await kv.call('Set', 'a', [{ key: 'k', value: 'v' }]);
    expect((await kv.raw('MExpire', encodeRequest('a', [{ key: 'k', timeout: later.rfc3339 }, { key: 'ghost', timeout: later.rfc3339 }]))).length).toBe(0);
    expect(await kv.call('TTL', 'a', [{ key: 'k' }, { key: 'ghost' }])).toEqual([{ key: 'k', timeout: later.rfc3339 }]);
    expect(await kv.fail('MExpire', 'a', [{ key: 'k' }])).toBe('RR_ERR_KV_BAD_TIMEOUT: kv.MExpire: invalid timeout "" for key "k": MExpire needs a deadline');
    expect(await kv.fail('MExpire', 'a', [{ key: 'k', timeout: 'soon' }])).toMatch(/^RR_ERR_KV_BAD_TIMEOUT: kv\.MExpire: invalid timeout "soon" for key "k": /);
  });

  it('a past deadline leaves the key absent (Set) or removes it (MExpire)', async () => {
    await kv.call('Set', 'a', [{ key: 'old', value: 'v', timeout: '2001-01-01T00:00:00+00:00' }, { key: 'k', value: 'v' }]);
    await kv.call('MExpire', 'a', [{ key: 'k', timeout: '2001-01-01T00:00:00Z' }]);
    expect(await kv.call('Has', 'a', [{ key: 'old' }, { key: 'k' }])).toEqual([]);
  });

  it('Delete removes the named keys and Clear empties one storage only', async () => {
    await kv.call('Set', 'a', ['p', 'q', 'r'].map((key) => ({ key, value: key })));
    await kv.call('Set', 'b', [{ key: 'p', value: 'other storage' }]);
    expect((await kv.raw('Delete', encodeRequest('a', [{ key: 'p' }, { key: 'never' }]))).length).toBe(0);
    expect((await kv.call('Has', 'a', [{ key: 'p' }, { key: 'q' }, { key: 'r' }])).map((i) => i.key)).toEqual(['q', 'r']);
    expect((await kv.raw('Clear', encodeRequest('a'))).length).toBe(0);
    expect(await kv.call('Has', 'a', [{ key: 'q' }, { key: 'r' }])).toEqual([]);
    expect((await kv.call('MGet', 'b', [{ key: 'p' }]))[0]?.value?.toString()).toBe('other storage');
  });

  it('a request without items answers empty without asking the driver', async () => {
    for (const method of ['Has', 'Set', 'MGet', 'MExpire', 'TTL', 'Delete']) expect(await kv.call(method, 'a', [])).toEqual([]);
    expect(kv.world.calls).toEqual([]);
  });

  it('an unknown or empty storage name is refused with "no such storage" on every method', async () => {
    for (const method of ['Has', 'Set', 'MGet', 'MExpire', 'TTL', 'Delete', 'Clear']) {
      expect(await kv.fail(method, 'nope', [{ key: 'k', value: 'v', timeout: deadlineIn(60).rfc3339 }])).toBe('RR_ERR_KV_NO_SUCH_STORAGE: no such storage "nope"');
    }
    expect(await kv.fail('Has', '', [{ key: 'k' }])).toBe('RR_ERR_KV_NO_SUCH_STORAGE: no such storage "": the request names no storage');
  });

  it('an empty or blank key is refused before the driver sees the batch', async () => {
    expect(await kv.fail('Set', 'a', [{ key: 'ok', value: 'v' }, { key: '', value: 'v' }])).toBe('RR_ERR_KV_EMPTY_KEY: kv.Set: empty key in storage "a"');
    expect(await kv.fail('Has', 'a', [{ key: '  \t' }])).toBe('RR_ERR_KV_EMPTY_KEY: kv.Has: empty key in storage "a"');
    for (const method of ['MGet', 'MExpire', 'TTL', 'Delete']) expect(await kv.fail(method, 'a', [{ key: '' }])).toMatch(/^RR_ERR_KV_EMPTY_KEY: /);
    expect(kv.world.calls).toEqual([]);
  });

  it.each([
    ['a truncated string', [0x0a, 9, 0x61]],
    ['a truncated varint', [0x80]],
    ['a truncated item', [0x12, 2, 0x0a, 5]],
    ['wire type 7', [0x0f]],
    ['a storage name that is not UTF-8', [0x0a, 1, 0xff]],
  ])('a body with %s is RR_ERR_KV_BAD_REQUEST and the connection carries on', async (_name, bytes) => {
    for (const method of ['Has', 'Set', 'Clear']) {
      const err = await kv.raw(method, Buffer.from(bytes)).catch((e: unknown) => e as { details: { text: string } });
      expect((err as { details: { text: string } }).details.text).toMatch(new RegExp(`^RR_ERR_KV_BAD_REQUEST: kv\\.${method}: malformed kv\\.v1\\.Request: `));
    }
    expect(await kv.call('Has', 'a', [{ key: 'k' }])).toEqual([]);
  });

  it('a codec other than protobuf is refused', async () => {
    const err = (codec: typeof CODEC_JSON | typeof CODEC_RAW, body: unknown) =>
      kv.client.call('kv.Has', body, codec).catch((e: unknown) => (e as { details: { text: string } }).details.text);
    expect(await err(CODEC_JSON, { storage: 'a', items: [{ key: 'k' }] })).toBe('RR_ERR_KV_UNSUPPORTED_CODEC: kv.Has takes the protobuf codec, got JSON');
    expect(await err(CODEC_RAW, encodeRequest('a', [{ key: 'k' }]))).toBe('RR_ERR_KV_UNSUPPORTED_CODEC: kv.Has takes the protobuf codec, got raw');
  });

  it('driver failures: an RrError reaches PHP unchanged, anything else is RR_ERR_KV_DRIVER; logged at debug only', async () => {
    await kv.call('Set', 'nottl', [{ key: 'k', value: 'v' }]);
    expect(await kv.fail('TTL', 'nottl', [{ key: 'k' }])).toBe('RR_ERR_FAKE_TTL: other_plugin_ttl: the backend cannot report deadlines');
    expect(await kv.fail('Set', 'a', [{ key: 'rr-explode', value: 'v' }])).toBe('RR_ERR_FAKE_REFUSED: fake backend refused the write');
    expect(await kv.fail('Set', 'b', [{ key: 'explode', value: 'v' }])).toBe('RR_ERR_KV_DRIVER: storage "b": kv.Set failed: disk on fire');
    const kvLines = kv.t.logger.lines.filter((l) => l.channel === 'kv' && l.message === 'kv driver call failed');
    expect(kvLines.map((l) => [l.level, l.fields.storage, l.fields.method])).toEqual([
      ['debug', 'nottl', 'kv.TTL'],
      ['debug', 'a', 'kv.Set'],
      ['debug', 'b', 'kv.Set'],
    ]);
    expect(kv.t.logger.lines.filter((l) => l.level === 'warn' || l.level === 'error')).toEqual([]);
  });

  it('logs nothing for successful calls', async () => {
    const before = kv.t.logger.lines.length;
    await kv.call('Set', 'a', [{ key: 'k', value: 'v' }]);
    await kv.call('MGet', 'a', [{ key: 'k' }]);
    expect(kv.t.logger.lines.length).toBe(before);
  });
});
