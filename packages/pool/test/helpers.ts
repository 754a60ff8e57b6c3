import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, onTestFailed } from 'vitest';
import { createPool, type CreatePoolOptions, type ExecResult, type Pool, type PoolConfig, type PoolLogger } from '../src/index.js';

export const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));
export const WORKER = join(FIXTURES, 'worker.php');
export const ECHO_WORKER = fileURLToPath(new URL('../../../php-sdk/examples/echo-worker.php', import.meta.url));
export const PHP = '/usr/bin/php';

export interface LogLine {
  level: 'debug' | 'info' | 'warn' | 'error';
  message: string;
  fields: Record<string, unknown>;
}

/** A logger that keeps every line, for assertions. */
export interface RecordingLogger extends PoolLogger {
  readonly lines: LogLine[];
  /** Lines at `level` whose message or fields mention `text`. */
  find(level: LogLine['level'], text: string): LogLine[];
}

export function recordingLogger(): RecordingLogger {
  const lines: LogLine[] = [];
  const at =
    (level: LogLine['level']) =>
    (message: string, fields: Record<string, unknown> = {}): void => {
      lines.push({ level, message, fields });
    };
  return {
    lines,
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    find: (level, text) => lines.filter((l) => l.level === level && (l.message.includes(text) || JSON.stringify(l.fields).includes(text))),
  };
}

/** Fast settings for tests: 2 workers, 2 s allocate timeout. */
export function config(overrides: Partial<PoolConfig> = {}): PoolConfig {
  return {
    num_workers: 2,
    max_jobs: 0,
    allocate_timeout: 2000,
    reset_timeout: 5000,
    destroy_timeout: 2000,
    stream_timeout: 2000,
    max_queue_size: 0,
    debug: false,
    ...overrides,
  };
}

const pools = new Set<Pool>();
const dirs = new Set<string>();

afterEach(async () => {
  await Promise.all([...pools].map((p) => p.destroy()));
  pools.clear();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  dirs.clear();
});

export interface TestPool {
  pool: Pool;
  logger: RecordingLogger;
}

/** A pool of `php <script>` workers, destroyed after the test. */
export function makePool(
  options: { script?: string; config?: Partial<PoolConfig>; relay?: string } & Partial<Omit<CreatePoolOptions, 'config'>> = {},
): TestPool {
  const logger = recordingLogger();
  const { script, config: overrides, relay, ...rest } = options;
  const pool = createPool({
    name: 'test',
    command: [PHP, script ?? WORKER],
    env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', RR_MODE: 'test' },
    relay: relay ?? 'pipes',
    config: config(overrides),
    logger,
    softStopTimeout: 2000,
    ...rest,
  });
  pools.add(pool);
  // Process-level tests can flake under load; the pool's own log is what explains a failure.
  onTestFailed(() => {
    console.error(`pool log (${logger.lines.length} lines):\n${logger.lines.map((l) => `${l.level} ${l.message} ${JSON.stringify(l.fields)}`).join('\n')}`);
  });
  return { pool, logger };
}

export async function startPool(options: Parameters<typeof makePool>[0] = {}): Promise<TestPool> {
  const t = makePool(options);
  await t.pool.start();
  return t;
}

/** A temp dir removed after the test. */
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'rr-pool-'));
  dirs.add(dir);
  return dir;
}

export function payload(body: string, context = ''): { context: Buffer; body: Buffer; codec: number } {
  return { context: Buffer.from(context), body: Buffer.from(body), codec: 0 };
}

/** Runs `body` and returns the answering PID (the fixture's context) and body. */
export async function run(pool: Pool, body: string): Promise<{ pid: number; body: string; result: ExecResult }> {
  const result = await pool.exec(payload(body));
  return { pid: Number(result.context.toString()), body: result.body.toString(), result };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `check` until it returns a truthy value or `timeoutMs` elapses (for process-level effects only). */
export async function waitFor<T>(check: () => T | undefined | false | null, timeoutMs = 5000, what = 'condition'): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined && value !== false && value !== null) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

export function pids(pool: Pool): number[] {
  return pool
    .workers()
    .map((w) => w.pid)
    .sort((a, b) => a - b);
}

/** True while a process exists. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
