import { existsSync, readFileSync } from 'node:fs';
import { phpSdk } from './paths.js';
import type { RrProcess } from './rr.js';
import { run } from './run.js';

/** One delivery as php-sdk's examples/jobs-consumer.php logs it (before answering or crashing). */
export interface Delivery {
  id: string;
  name: string;
  pipeline: string;
  attempt: number;
  pid: number;
  do: string;
}

/**
 * A jobs config: PHP consumers (php-sdk's jobs-consumer example, logging every delivery to `log`),
 * `pipelines` as YAML lines under `jobs.pipelines`, RPC on a free port, JSON logs.
 */
export function jobsConfig(options: { log: string; pipelines: string; consume: string[]; workers?: number; extra?: string; jobs?: string }): string {
  return `version: "3"
server:
  command: "php ${phpSdk}/examples/jobs-consumer.php"
  env:
    JOBS_LOG: "${options.log}"
rpc:
  listen: tcp://127.0.0.1:0
jobs:
  consume: [${options.consume.join(', ')}]
  timeout: 10s
${options.jobs ?? ''}
  pool:
    num_workers: ${options.workers ?? 2}
    allocate_timeout: 10s
    destroy_timeout: 5s
  pipelines:
${options.pipelines}
logs:
  mode: production
  level: info
${options.extra ?? ''}`;
}

/** Runs php-sdk's jobs-push example against `rr`: push, list, pause, resume, stat, declare, destroy. */
export async function jobsCli(rr: RrProcess, ...args: string[]): Promise<unknown> {
  const res = await run('php', [`${phpSdk}/examples/jobs-push.php`, ...args], { env: { ...process.env, RR_RPC: String(rr.rpcAddress) } });
  if (res.code !== 0) throw new Error(`jobs-push ${args.join(' ')} exited ${res.code}: ${res.stdout}${res.stderr}`);
  return JSON.parse(res.stdout) as unknown;
}

/** Pushes `count` jobs with the payload and options; resolves their ids. */
export async function push(rr: RrProcess, pipeline: string, count: number, payload: object = { do: 'ack' }, ...flags: string[]): Promise<string[]> {
  return (await jobsCli(rr, 'push', pipeline, String(count), JSON.stringify(payload), ...flags)) as string[];
}

/** Every delivery logged so far. */
export function deliveries(log: string): Delivery[] {
  if (!existsSync(log)) return [];
  return readFileSync(log, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Delivery);
}

/** Ids of `ids` that have no delivery in `log` yet. */
export function undelivered(log: string, ids: readonly string[]): string[] {
  const seen = new Set(deliveries(log).map((d) => d.id));
  return ids.filter((id) => !seen.has(id));
}
