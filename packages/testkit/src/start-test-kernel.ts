import { loggerRef, type Logger } from '@rr/contracts';
import { createKernel, definePlugin, type Kernel, type Plugin } from '@rr/kernel';
import { recordingLogger, type RecordingLogger } from './recording-logger.js';

/** A running test kernel. */
export interface TestKernel {
  kernel: Kernel;
  /** Every line logged through `loggerRef` by the plugins under test. */
  logger: RecordingLogger;
  stop(): Promise<void>;
}

/** Provides `loggerRef` from a given logger: the fake of the logs plugin. */
export function fakeLogsPlugin(logger: Logger): Plugin {
  return definePlugin({
    id: 'logs',
    kernel: '^1.0.0',
    provides: { logger: loggerRef },
    init: () => ({ provides: { logger } }),
  });
}

/**
 * Boots the real kernel with the plugins under test, as `rr serve` would, plus a recording logs fake
 * (unless a plugin with id 'logs' is among `plugins`).
 *
 * @example
 * const t = await startTestKernel({ plugins: [rpcPlugin], config: { rpc: { listen: 'tcp://127.0.0.1:0' } } });
 * try { ... } finally { await t.stop(); }
 */
export async function startTestKernel(options: {
  plugins: readonly Plugin[];
  config?: Record<string, unknown>;
  version?: string;
  stopTimeoutMs?: number;
  echo?: boolean;
}): Promise<TestKernel> {
  const logger = recordingLogger({ echo: options.echo ?? false });
  const plugins = options.plugins.some((p) => p.id === 'logs') ? options.plugins : [fakeLogsPlugin(logger), ...options.plugins];
  const kernel = createKernel({
    plugins,
    config: { version: options.version ?? '3', sections: options.config ?? {} },
    stopTimeoutMs: options.stopTimeoutMs ?? 10_000,
  });
  await kernel.start();
  return { kernel, logger, stop: () => kernel.stop() };
}
