export { endpointsProbe } from '@rr/testkit';
import { resettablesRef, type Resettable } from '@rr/contracts';
import { definePlugin, type Plugin } from '@rr/kernel';

/** A resettable that records its resets; `gate` holds a reset open until released. */
export function fakeResettable(name: string, options: { fail?: unknown; gated?: boolean } = {}): Resettable & { resets: number; release(): void } {
  let release = (): void => undefined;
  const r = {
    name,
    resets: 0,
    release: () => release(),
    reset: async () => {
      r.resets++;
      if (options.gated) await new Promise<void>((resolve) => (release = resolve));
      if (options.fail !== undefined) throw options.fail;
    },
  };
  return r;
}

/** A plugin that provides a resettable, with a section when `section` (so it can be disabled). */
export function resettablePlugin(id: string, resettable: Resettable, options: { section?: boolean } = {}): Plugin {
  return definePlugin({
    id,
    kernel: '^1.0.0',
    ...(options.section ? { config: { schema: { '~standard': { version: 1, vendor: 'test', validate: (v: unknown) => ({ value: v }) } } } } : {}),
    provides: { resettable: resettablesRef },
    init: () => ({ provides: { resettable } }),
  });
}

