import type { Plugin } from '@rr/kernel';
import { startTestKernel, type TestKernel } from '@rr/testkit';
import { httpPlugin } from '../../src/index.js';
import { php, testServerPlugin } from './server-plugin.js';

/** A kernel running the http plugin over a test pool of real PHP workers. */
export interface RunningHttp extends TestKernel {
  /** `http://127.0.0.1:<port>` (the plain listener; empty when only TLS is configured) */
  url: string;
  port: number;
  /** `https://127.0.0.1:<port>` when `http.ssl` is configured */
  tlsUrl: string;
  tlsPort: number;
  /** The FastCGI listener as logged (`127.0.0.1:<port>` or `unix://<path>`; empty without `http.fcgi`). */
  fcgi: string;
  /** Where a test FastCGI client connects to it. */
  fcgiTarget: { port: number } | { path: string };
}

/**
 * Boots logs (fake) + server (test pool) + http listening on a free port of 127.0.0.1, plus `plugins`
 * (in-test middleware providers). `address: undefined` in `http` leaves the plain listener out.
 */
export async function startHttp(options: { worker: string; http?: Record<string, unknown>; echo?: boolean; plugins?: Plugin[] }): Promise<RunningHttp> {
  const { pool, ...rest } = options.http ?? {};
  const t = await startTestKernel({
    plugins: [testServerPlugin(php(options.worker)), httpPlugin, ...(options.plugins ?? [])],
    config: { http: JSON.parse(JSON.stringify({ address: '127.0.0.1:0', ...rest, pool: { num_workers: 1, ...(pool as object) } })) as Record<string, unknown> },
    echo: options.echo ?? false,
  });
  const listening = (message: string): string => String(t.logger.find(message)[0]?.fields['address'] ?? '');
  const plain = listening('http server listening');
  const secure = listening('https server listening');
  const fcgi = listening('fcgi listening');
  const portOf = (address: string): number => Number(address.split(':').pop());
  return {
    ...t,
    url: plain === '' ? '' : `http://${plain}`,
    port: portOf(plain),
    tlsUrl: secure === '' ? '' : `https://${secure}`,
    tlsPort: portOf(secure),
    fcgi,
    fcgiTarget: fcgi.startsWith('unix://') ? { path: fcgi.slice('unix://'.length) } : { port: portOf(fcgi) },
  };
}
