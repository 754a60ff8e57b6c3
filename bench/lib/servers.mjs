/* global process, setTimeout */
// The three servers under test, each a private instance on a free loopback port with its config,
// pid file, logs and sockets in the run's temp dir:
//   rr     node apps/rr/dist/main.js serve -c <tmp>/.rr.yaml   (2 PHP workers, pipes relay)
//   fpm    nginx (daemon off) → FastCGI over a unix socket → php-fpm -F (pm static, 2 children)
//   php-s  php -S (single process, the CLI built-in server)
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, waitReady } from './net.mjs';
import { childrenOf, rememberExtraPids, spawnTracked, stopTracked } from './procs.mjs';

export const PHP = '/usr/bin/php';
export const PHP_FPM = '/usr/sbin/php-fpm8.2';
export const NGINX = '/usr/sbin/nginx';

/**
 * INI for every CLI-started PHP (rr workers, pool-direct workers, php -S): opcache on as in php-fpm
 * (Debian enables it for fpm; `opcache.enable_cli` is off by default), every other opcache setting
 * left at the same Debian defaults both SAPIs share (128 MB, validate_timestamps=1, JIT off).
 */
export const PHP_CLI_INI = ['-d', 'opcache.enable_cli=1'];

/** @typedef {{ tmp: string, repo: string, appsDir: string, isRoot: boolean, workers: number, nginxWorkers: string, rrMain?: string }} ServerContext */

/**
 * @typedef {object} RunningServer
 * @property {string} server
 * @property {string} app
 * @property {string} url
 * @property {() => { front: number[], workers: number[] }} pids  main process(es) vs PHP workers
 * @property {() => Promise<void>} stop
 * @property {Record<string, unknown>} config  what was configured, for the report
 * @property {string[]} logs
 */

/** Which servers exist, in run order. */
export const SERVERS = ['rr', 'fpm', 'php-s'];

export async function startServer(server, app, ctx) {
  if (server === 'rr') return startRr(app, ctx);
  if (server === 'fpm') return startFpm(app, ctx);
  if (server === 'php-s') return startPhpS(app, ctx);
  throw new Error(`unknown server ${server}`);
}

function dirFor(ctx, name) {
  const dir = join(ctx.tmp, name);
  mkdirSync(dir, { recursive: true });
  return dir;
}

// ── rr ─────────────────────────────────────────────────────────────────────────────────────────

/** @returns {Promise<RunningServer>} */
export async function startRr(app, ctx, { cpuProfDir } = {}) {
  const dir = dirFor(ctx, `rr-${app}${cpuProfDir ? '-prof' : ''}`);
  const port = await freePort();
  const worker = join(ctx.appsDir, app, 'worker.php');
  const command = [PHP, ...PHP_CLI_INI, worker].join(' ');
  const yaml = [
    'version: "3"',
    'server:',
    `  command: "${command}"`,
    '  relay: pipes',
    'http:',
    `  address: 127.0.0.1:${port}`,
    '  pool:',
    `    num_workers: ${ctx.workers}`,
    'logs:',
    '  mode: production',
    '  level: error',
    '',
  ].join('\n');
  const configFile = join(dir, '.rr.yaml');
  writeFileSync(configFile, yaml);
  const log = join(dir, 'rr.log');
  const main = ctx.rrMain ?? join(ctx.repo, 'apps/rr/dist/main.js');
  // The node flags rr's own shebang sets (`#!/usr/bin/env -S node --flags`), so the bench runs rr as users do.
  const shebang = readFileSync(main, 'utf8').split('\n', 1)[0] ?? '';
  const shebangFlags = shebang.startsWith('#!') ? shebang.split(/\s+/).filter((a) => a.startsWith('--')) : [];
  const nodeArgs = [...shebangFlags, ...(cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${cpuProfDir}`] : [])];
  const proc = spawnTracked('rr', process.execPath, [...nodeArgs, main, 'serve', '-c', configFile, '-s'], {
    cwd: dir,
    logFile: log,
    stopSignal: 'SIGINT', // graceful stop: rr stops its pool (and writes the CPU profile)
  });
  const url = `http://127.0.0.1:${port}/`;
  const running = {
    server: 'rr',
    app,
    url,
    proc,
    pids: () => {
      const workers = proc.alive() ? childrenOf(proc.pid) : [];
      rememberExtraPids(proc, workers);
      return { front: [proc.pid], workers };
    },
    stop: () => stopTracked(proc, 15_000),
    config: {
      command: `node ${nodeArgs.join(' ')} ${main} serve -c .rr.yaml -s`.replace(/\s+/g, ' '),
      yaml,
    },
    logs: [log],
  };
  try {
    await waitReady(url, { proc, timeoutMs: 30_000, expect: 'Hello' });
    running.pids();
  } catch (err) {
    await running.stop();
    throw withLog(err, log);
  }
  return running;
}

// ── nginx + php-fpm ────────────────────────────────────────────────────────────────────────────

/** @returns {Promise<RunningServer>} */
export async function startFpm(app, ctx) {
  const dir = dirFor(ctx, `fpm-${app}`);
  const port = await freePort();
  const appDir = join(ctx.appsDir, app);
  const sock = join(dir, 'php-fpm.sock');
  const fpmConf = join(dir, 'php-fpm.conf');
  const fpmLog = join(dir, 'php-fpm.log');
  const fpmPid = join(dir, 'php-fpm.pid');
  const fpmIni = [
    '[global]',
    `pid = ${fpmPid}`,
    `error_log = ${fpmLog}`,
    'log_level = error',
    'daemonize = no',
    '',
    '[bench]',
    ...(ctx.isRoot ? ['user = root', 'group = root'] : []),
    `listen = ${sock}`,
    'listen.mode = 0666',
    'listen.backlog = 1024',
    'pm = static',
    `pm.max_children = ${ctx.workers}`,
    'pm.max_requests = 0',
    'catch_workers_output = no',
    'security.limit_extensions = .php',
    '',
  ].join('\n');
  writeFileSync(fpmConf, fpmIni);
  const fpmArgs = ['-F', '-y', fpmConf, '-p', dir, '-g', fpmPid, ...(ctx.isRoot ? ['-R'] : [])];
  const fpm = spawnTracked('php-fpm', PHP_FPM, fpmArgs, { cwd: dir, logFile: fpmLog, stopSignal: 'SIGQUIT' });

  const nginxConf = join(dir, 'nginx.conf');
  const nginxErr = join(dir, 'nginx-error.log');
  const nginxPid = join(dir, 'nginx.pid');
  const temp = join(dir, 'nginx-temp');
  mkdirSync(temp, { recursive: true });
  const conf = [
    'daemon off;',
    'master_process on;',
    `worker_processes ${ctx.nginxWorkers};`,
    ...(ctx.isRoot ? ['user root root;'] : []),
    `pid ${nginxPid};`,
    `error_log ${nginxErr} error;`,
    'events { worker_connections 4096; }',
    'http {',
    '  access_log off;',
    '  keepalive_timeout 65;',
    '  keepalive_requests 1000000;', // rr (Node) never closes a keep-alive connection after N requests either
    `  client_body_temp_path ${temp}/body;`,
    `  proxy_temp_path ${temp}/proxy;`,
    `  fastcgi_temp_path ${temp}/fastcgi;`,
    `  uwsgi_temp_path ${temp}/uwsgi;`,
    `  scgi_temp_path ${temp}/scgi;`,
    '  server {',
    `    listen 127.0.0.1:${port};`,
    `    root ${appDir};`,
    '    location / {',
    // The subset of Debian's fastcgi_params PHP needs, inlined so the instance reads no system file.
    '      fastcgi_param QUERY_STRING $query_string;',
    '      fastcgi_param REQUEST_METHOD $request_method;',
    '      fastcgi_param CONTENT_TYPE $content_type;',
    '      fastcgi_param CONTENT_LENGTH $content_length;',
    '      fastcgi_param SCRIPT_NAME /index.php;',
    `      fastcgi_param SCRIPT_FILENAME ${appDir}/index.php;`,
    '      fastcgi_param REQUEST_URI $request_uri;',
    '      fastcgi_param DOCUMENT_URI $document_uri;',
    '      fastcgi_param DOCUMENT_ROOT $document_root;',
    '      fastcgi_param SERVER_PROTOCOL $server_protocol;',
    '      fastcgi_param GATEWAY_INTERFACE CGI/1.1;',
    '      fastcgi_param SERVER_SOFTWARE nginx;',
    '      fastcgi_param REMOTE_ADDR $remote_addr;',
    '      fastcgi_param REMOTE_PORT $remote_port;',
    '      fastcgi_param SERVER_ADDR $server_addr;',
    '      fastcgi_param SERVER_PORT $server_port;',
    '      fastcgi_param SERVER_NAME $server_name;',
    '      fastcgi_param HTTP_HOST $host;',
    `      fastcgi_pass unix:${sock};`,
    '    }',
    '  }',
    '}',
    '',
  ].join('\n');
  writeFileSync(nginxConf, conf);
  const url = `http://127.0.0.1:${port}/`;
  let nginx;
  const running = {
    server: 'fpm',
    app,
    url,
    pids: () => ({
      front: nginx?.alive() ? [nginx.pid, ...childrenOf(nginx.pid)] : [],
      workers: fpm.alive() ? [fpm.pid, ...childrenOf(fpm.pid)] : [],
    }),
    stop: async () => {
      if (nginx) await stopTracked(nginx, 10_000);
      await stopTracked(fpm, 10_000);
    },
    config: {
      fpm: `php-fpm8.2 ${fpmArgs.join(' ')}`,
      fpmConf: fpmIni,
      nginx: `nginx -p ${dir} -c nginx.conf -e nginx-error.log`,
      nginxConf: conf,
      nginxWorkers: ctx.nginxWorkers,
    },
    logs: [fpmLog, nginxErr],
  };
  try {
    const deadline = Date.now() + 15_000;
    while (!existsSync(sock)) {
      if (!fpm.alive()) throw new Error('php-fpm exited before creating its socket');
      if (Date.now() > deadline) throw new Error('php-fpm socket did not appear within 15 s');
      await new Promise((r) => setTimeout(r, 50));
    }
    nginx = spawnTracked('nginx', NGINX, ['-p', dir, '-c', nginxConf, '-e', nginxErr], { cwd: dir, logFile: nginxErr, stopSignal: 'SIGQUIT' });
    await waitReady(url, { proc: nginx, timeoutMs: 15_000, expect: 'Hello' });
  } catch (err) {
    await running.stop();
    throw withLog(err, fpmLog, nginxErr);
  }
  return running;
}

// ── php -S ─────────────────────────────────────────────────────────────────────────────────────

/** @returns {Promise<RunningServer>} */
export async function startPhpS(app, ctx) {
  const dir = dirFor(ctx, `php-s-${app}`);
  const port = await freePort();
  const appDir = join(ctx.appsDir, app);
  const log = join(dir, 'php-s.log');
  const args = [...PHP_CLI_INI, '-S', `127.0.0.1:${port}`, '-t', appDir, join(appDir, 'index.php')];
  // PHP_CLI_SERVER_WORKERS unset: one process, the documented single-process development server.
  const env = { ...process.env };
  delete env.PHP_CLI_SERVER_WORKERS;
  const proc = spawnTracked('php -S', PHP, args, { cwd: appDir, env, logFile: log, stopSignal: 'SIGTERM' });
  const url = `http://127.0.0.1:${port}/`;
  const running = {
    server: 'php-s',
    app,
    url,
    pids: () => ({ front: proc.alive() ? [proc.pid] : [], workers: [] }),
    stop: () => stopTracked(proc, 5000),
    config: { command: `php ${args.join(' ')}` },
    logs: [log],
  };
  try {
    await waitReady(url, { proc, timeoutMs: 15_000, expect: 'Hello' });
  } catch (err) {
    await running.stop();
    throw withLog(err, log);
  }
  return running;
}

function withLog(err, ...files) {
  const e = err instanceof Error ? err : new Error(String(err));
  e.message += ` (see ${files.join(', ')})`;
  return e;
}
