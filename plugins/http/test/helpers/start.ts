import { startTestKernel, type TestKernel } from '@rr/testkit';
import { httpPlugin } from '../../src/index.js';
import { php, testServerPlugin } from './server-plugin.js';

/** A kernel running the http plugin over a test pool of real PHP workers. */
export interface RunningHttp extends TestKernel {
  /** `http://127.0.0.1:<port>` */
  url: string;
  port: number;
}

/** Boots logs (fake) + server (test pool) + http listening on a free port of 127.0.0.1. */
export async function startHttp(options: { worker: string; http?: Record<string, unknown>; echo?: boolean }): Promise<RunningHttp> {
  const { pool, ...rest } = options.http ?? {};
  const t = await startTestKernel({
    plugins: [testServerPlugin(php(options.worker)), httpPlugin],
    config: { http: { address: '127.0.0.1:0', ...rest, pool: { num_workers: 1, ...(pool as object) } } },
    echo: options.echo ?? false,
  });
  const line = t.logger.find('http server listening')[0];
  const address = String(line?.fields['address']);
  return { ...t, url: `http://${address}`, port: Number(address.split(':').pop()) };
}
