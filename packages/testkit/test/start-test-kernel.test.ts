import { loggerRef } from '@rr/contracts';
import { definePlugin, isRrError } from '@rr/kernel';
import { describe, expect, it } from 'vitest';
import { startTestKernel } from '../src/index.js';

const greeter = definePlugin({
  id: 'greeter',
  kernel: '^1.0.0',
  needs: { logger: loggerRef },
  init: ({ needs }) => {
    const log = needs.logger.named('greeter');
    log.info('hello', { who: 'world' });
    return { stop: () => log.info('bye') };
  },
});

describe('startTestKernel', () => {
  it('boots the real kernel with a recording logger and stops it', async () => {
    const t = await startTestKernel({ plugins: [greeter], config: { greeter: {} } });
    expect(t.logger.find('hello')).toEqual([{ level: 'info', channel: 'greeter', message: 'hello', fields: { who: 'world' } }]);
    expect(t.kernel.report().find((p) => p.id === 'greeter')?.state).not.toBe('disabled');
    await t.stop();
    expect(t.logger.find('bye')).toHaveLength(1);
  });

  it('surfaces kernel errors with their codes', async () => {
    const broken = definePlugin({ id: 'broken', kernel: '^1.0.0', init: () => { throw new Error('nope'); } });
    const err = await startTestKernel({ plugins: [broken], config: { broken: {} } }).catch((e: unknown) => e);
    expect(isRrError(err, 'RR_ERR_KERNEL_INIT_FAILED')).toBe(true);
  });
});
