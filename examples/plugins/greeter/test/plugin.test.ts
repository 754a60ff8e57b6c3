import { isRrError, type RrError } from '@rr/kernel';
import { recordingTracer, startTestKernel, testTracerPlugin, type TestKernel } from '@rr/testkit';
import { afterEach, describe, expect, it } from 'vitest';
import greeterDefault, { greeterPlugin } from '../src/index.js';
import { call, startGreeter } from './helpers.js';

const running: TestKernel[] = [];
afterEach(async () => {
  for (const t of running.splice(0)) await t.stop();
});

describe('greeter plugin (real kernel through @rr/testkit)', () => {
  it('is the default and the named export, with id greeter and a kernel range', () => {
    expect(greeterDefault).toBe(greeterPlugin);
    expect(greeterPlugin).toMatchObject({ id: 'greeter', kernel: '^1.0.0' });
  });

  it("is disabled without a 'greeter' section", async () => {
    const t = await startTestKernel({ plugins: [greeterPlugin] });
    running.push(t);
    expect(t.kernel.report().find((p) => p.id === 'greeter')).toMatchObject({ state: 'disabled', reason: "no 'greeter' section" });
  });

  it('refuses an invalid section before init, with every dotted path', async () => {
    const err = (await startTestKernel({ plugins: [greeterPlugin], config: { greeter: { greeting: 'hi', remember: 0 } } }).catch((e: unknown) => e)) as RrError;
    expect(isRrError(err, 'RR_ERR_KERNEL_CONFIG_INVALID')).toBe(true);
    expect((err.details.issues as { path: string }[]).map((i) => i.path).sort()).toEqual(['greeter.greeting', 'greeter.remember']);
  });

  it('needs the logs plugin: without a logger provider the kernel refuses it', async () => {
    const { createKernel } = await import('@rr/kernel');
    const kernel = createKernel({ plugins: [greeterPlugin], config: { version: '3', sections: { greeter: {} } } });
    await expect(kernel.start()).rejects.toMatchObject({ code: 'RR_ERR_KERNEL_MISSING_PROVIDER' });
  });

  it('serves greeter.Hello through the RPC endpoints the rpc plugin collects, and logs on its channel', async () => {
    const { t, endpoint } = await startGreeter({ greeting: 'Hi {name}' });
    running.push(t);
    expect(await call(endpoint, 'Hello', { name: 'Ada' })).toEqual({ message: 'Hi Ada', count: 1 });
    expect(t.logger.find('greeter ready')).toEqual([expect.objectContaining({ level: 'info', channel: 'greeter', fields: { greeting: 'Hi {name}', traced: false } })]);
    expect(t.logger.find('greeted')).toEqual([expect.objectContaining({ level: 'debug', channel: 'greeter', fields: { count: 1 } })]);
  });

  it('hands the metrics plugin a collector that counts greetings', async () => {
    const { t, endpoint, collectors } = await startGreeter({});
    running.push(t);
    await call(endpoint, 'Hello', { name: 'a' });
    await call(endpoint, 'Hello', { name: 'b' });
    const [collector] = collectors();
    expect(collector?.name).toBe('greeter');
    expect((await collector?.collect())?.[0]).toMatchObject({ name: 'rr_greeter_greetings_total', samples: [{ value: 2 }] });
  });

  it('traces every Hello when the otel plugin provides a tracer', async () => {
    const tracer = recordingTracer();
    const { t, endpoint } = await startGreeter({ max_name_length: 3 }, [testTracerPlugin(tracer)]);
    running.push(t);
    await call(endpoint, 'Hello', { name: 'Ada' });
    await call(endpoint, 'Hello', { name: 'Alice' }).catch(() => undefined);
    const spans = await tracer.waitForEnded(2, (s) => s.name === 'greeter.Hello');
    expect(spans.map((s) => [s.kind, s.status, s.attributes['greeter.count']])).toEqual([
      ['server', 'unset', 1],
      ['server', 'error', undefined],
    ]);
    expect(spans[1]?.statusMessage).toBe('RR_ERR_GREETER_NAME_TOO_LONG');
  });
});
