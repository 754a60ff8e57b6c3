// Aggregation (median over rounds), ratios, targets and the markdown report.

export const SERVER_LABEL = {
  rr: 'rr (2 workers)',
  fpm: 'nginx + php-fpm',
  'php-s': 'php -S',
  pool: 'pool-direct',
};

/** The run whose req/s is the median of its app × server runs. */
export function pickMedian(runs) {
  const ok = runs.filter((r) => r.error === undefined);
  if (ok.length === 0) return runs[0];
  const sorted = [...ok].sort((a, b) => a.rps - b.rps);
  return { ...sorted[Math.floor((sorted.length - 1) / 2)], rounds: runs.length, rpsAll: runs.map((r) => r.rps ?? null) };
}

export const mainCpuUsPerReq = (r) => {
  const s = r?.cpu ? r.cpu.frontS : r?.mainCpuS;
  return s === undefined || !r.requests ? undefined : (s * 1e6) / r.requests;
};
const perCpu = (r) => (r?.cpu ? r.requests / (r.cpu.frontS + r.cpu.workersS) : undefined);
const ratio = (a, b) => (a === undefined || b === undefined || !Number.isFinite(a) || !Number.isFinite(b) || b === 0 ? undefined : a / b);

/**
 * @param {Map<string, any>} best  key `${app}/${server}` → median run
 */
export function computeRatios(best) {
  const get = (app, server) => best.get(`${app}/${server}`);
  const out = {};
  for (const app of ['hello', 'bootstrap-heavy']) {
    const rr = get(app, 'rr');
    const fpm = get(app, 'fpm');
    const pool = get(app, 'pool');
    const phps = get(app, 'php-s');
    out[app] = {
      rrOverFpmRps: ratio(rr?.rps, fpm?.rps),
      rrP99OverFpmP99: ratio(rr?.latencyMs?.p99, fpm?.latencyMs?.p99),
      rrOverPoolRps: ratio(rr?.rps, pool?.rps),
      rrOverPhpSRps: ratio(rr?.rps, phps?.rps),
      // Requests per CPU-second of the server's processes: less sensitive to other load on the machine.
      rrOverFpmPerCpu: ratio(perCpu(rr), perCpu(fpm)),
      // CPU the HTTP front adds per request on top of the pool: rr's node process minus pool-direct's.
      httpOverheadUs: mainCpuUsPerReq(rr) !== undefined && mainCpuUsPerReq(pool) !== undefined ? mainCpuUsPerReq(rr) - mainCpuUsPerReq(pool) : undefined,
      rrMainUs: mainCpuUsPerReq(rr),
      poolMainUs: mainCpuUsPerReq(pool),
      nginxUs: mainCpuUsPerReq(fpm),
      rrMainSysPct: rr?.cpu?.frontS ? (100 * rr.cpu.frontSysS) / rr.cpu.frontS : undefined,
      nginxSysPct: fpm?.cpu?.frontS ? (100 * fpm.cpu.frontSysS) / fpm.cpu.frontS : undefined,
    };
  }
  return out;
}

/** The targets of the brief; status PASS, FAIL or SKIP (a measurement is missing). */
export function evaluateTargets(best, ratios) {
  const t = [];
  const add = (name, value, limit, pass, shown) =>
    t.push({ name, value, limit, status: value === undefined ? 'SKIP' : pass ? 'PASS' : 'FAIL', shown: value === undefined ? 'n/a' : shown });
  const h = ratios.hello;
  add('hello: rr req/s ≥ 1.0× nginx+fpm', h.rrOverFpmRps, 1.0, h.rrOverFpmRps >= 1.0, `${fx(h.rrOverFpmRps)}×`);
  add("hello: rr p99 ≤ 1.5× nginx+fpm's p99", h.rrP99OverFpmP99, 1.5, h.rrP99OverFpmP99 <= 1.5, `${fx(h.rrP99OverFpmP99)}×`);
  add('hello: rr req/s ≥ 65 % of pool-direct', h.rrOverPoolRps, 0.65, h.rrOverPoolRps >= 0.65, `${fp(h.rrOverPoolRps)}`);
  const b = ratios['bootstrap-heavy'];
  add('bootstrap-heavy: rr req/s ≥ 100× nginx+fpm', b.rrOverFpmRps, 100, b.rrOverFpmRps >= 100, `${fx(b.rrOverFpmRps, 1)}×`);
  for (const app of ['hello', 'bootstrap-heavy']) {
    const rr = best.get(`${app}/rr`);
    const mb = rr?.mem?.frontRssKb === undefined ? undefined : rr.mem.frontRssKb / 1024;
    add(`${app}: rr main-process RSS ≤ 100 MB after load`, mb, 100, mb <= 100, `${fnum(mb, 1)} MB`);
  }
  for (const app of ['hello', 'bootstrap-heavy']) {
    const rr = best.get(`${app}/rr`);
    add(`${app}: rr answered every request (0 errors)`, rr?.errors, 0, rr?.errors === 0, `${rr?.errors} errors`);
  }
  return t;
}

const fnum = (v, d = 2) => (v === undefined || v === null || !Number.isFinite(v) ? 'n/a' : v.toFixed(d));
const fx = (v, d = 2) => fnum(v, d);
const fp = (v) => (v === undefined ? 'n/a' : `${(v * 100).toFixed(1)} %`);
const fint = (v) => (v === undefined || !Number.isFinite(v) ? 'n/a' : Math.round(v).toLocaleString('en-US'));
const mb = (kb) => (kb === undefined ? '–' : (kb / 1024).toFixed(1));

export function markdown(report) {
  const { meta, best, ratios, targets, opcache, calibration, profile, order } = report;
  const L = [];
  L.push(`# rr benchmark — ${meta.date}`);
  L.push('');
  L.push(
    `Machine: ${meta.cpus}× ${meta.cpuModel}, ${meta.memGb} GB RAM, ${meta.kernel}; node ${meta.node}, PHP ${meta.php}, ${meta.nginx}, ${meta.wrk}.`,
  );
  L.push(`rr: ${meta.rr}.`);
  L.push(
    `Load: \`wrk -t${meta.threads} -c${meta.connections} -d${meta.durationS}s --latency\` after a ${meta.warmupS} s warm-up, GET / on 127.0.0.1; ${meta.rounds} round(s), median by req/s. PHP workers: ${meta.workers} everywhere (php -S: 1 process). nginx worker_processes ${meta.nginxWorkers}.`,
  );
  L.push('');
  L.push('| app | server | req/s (range over rounds) | p50 ms | p99 ms | errors | main RSS MB (idle → after load) | workers RSS MB | CPU s main / workers | main CPU µs/req | req per CPU·s | other load % |');
  L.push('| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const key of order) {
    const r = best.get(key);
    if (!r) continue;
    const [app, server] = key.split('/');
    if (r.error !== undefined) {
      L.push(`| ${app} | ${SERVER_LABEL[server]} | failed: ${r.error.split('\n')[0].slice(0, 120)} | | | | | | | | | |`);
      continue;
    }
    const cpu = r.cpu ? `${fnum(r.cpu.frontS, 1)} / ${fnum(r.cpu.workersS, 1)}` : r.mainCpuS !== undefined ? `${fnum(r.mainCpuS, 1)} / –` : '–';
    const eff = r.cpu ? fint(r.requests / (r.cpu.frontS + r.cpu.workersS)) : '–';
    const usPerReq = mainCpuUsPerReq(r);
    const other = r.machine ? fnum(r.machine.otherPct, 0) : '–';
    const rss = r.mem?.frontIdleRssKb !== undefined ? `${mb(r.mem.frontIdleRssKb)} → ${mb(r.mem.frontRssKb)}` : mb(r.mem?.frontRssKb);
    const ok = (r.rpsAll ?? []).filter((v) => typeof v === 'number');
    const range = ok.length > 1 ? ` (${fint(Math.min(...ok))}–${fint(Math.max(...ok))})` : '';
    L.push(
      `| ${app} | ${SERVER_LABEL[server]} | ${fint(r.rps)}${range} | ${fnum(r.latencyMs.p50)} | ${fnum(r.latencyMs.p99)} | ${r.errors}${r.errorsDetail ? ` (${r.errorsDetail})` : ''} | ${rss} | ${mb(r.mem?.workersRssKb)} | ${cpu} | ${fnum(usPerReq, 1)} | ${eff} | ${other} |`,
    );
  }
  L.push('');
  L.push('main RSS: rr = the node process; nginx+fpm = nginx master + worker(s); php -S = the process; pool-direct = the node process (pool + load generator); idle = after start, before any load. workers RSS: rr/pool-direct = the PHP workers; nginx+fpm = fpm master + children. CPU s: CPU time the server processes used during the measured run (pool-direct: main process only); main CPU µs/req = that CPU of the main process(es) per request. other load %: share of the machine used by processes outside the benchmark during the run (noise indicator).');
  L.push('');
  L.push('## Ratios');
  L.push('');
  L.push('| app | rr/fpm req/s | rr p99 / fpm p99 | rr / pool-direct | rr / php -S req/s | rr/fpm req per CPU·s |');
  L.push('| --- | ---: | ---: | ---: | ---: | ---: |');
  for (const app of ['hello', 'bootstrap-heavy']) {
    const r = ratios[app];
    L.push(`| ${app} | ${fx(r.rrOverFpmRps)}× | ${fx(r.rrP99OverFpmP99)}× | ${fp(r.rrOverPoolRps)} | ${fx(r.rrOverPhpSRps)}× | ${fx(r.rrOverFpmPerCpu)}× |`);
  }
  const h = ratios.hello;
  if (h.httpOverheadUs !== undefined) {
    L.push('');
    L.push(
      `HTTP path cost (hello): rr's node process uses ${fnum(h.rrMainUs, 1)} µs of CPU per request, pool-direct's ${fnum(h.poolMainUs, 1)} µs (pool + load generator), so the HTTP front adds ≈ ${fnum(h.httpOverheadUs, 1)} µs per request; nginx uses ${fnum(h.nginxUs, 1)} µs per request in front of php-fpm. Kernel (system) share of that CPU: rr ${fnum(h.rrMainSysPct, 0)} %, nginx ${fnum(h.nginxSysPct, 0)} %.`,
    );
  }
  L.push('');
  L.push('## Targets');
  L.push('');
  for (const t of targets) L.push(`- **${t.status}** ${t.name}: ${t.shown}`);
  L.push('');
  if (calibration) {
    L.push('## Boot work (bootstrap-heavy)');
    L.push('');
    L.push(
      calibration.reused
        ? `Reused the previous calibration: CPU loop of ${fint(calibration.iterations)} iterations (target ${calibration.targetMs} ms of CPU per boot).`
        : `Calibrated to ${calibration.targetMs} ms of CPU per boot with a warm opcache (php -S, sequential, after waiting for a quiet machine): ${calibration.classes} generated classes autoloaded, linked and instantiated (${fnum(calibration.loadMs)} ms) + CPU loop of ${fint(calibration.iterations)} iterations (${fnum(calibration.nsPerIteration, 1)} ns each); verification ${fnum(calibration.lowMs)} ms CPU at the low end (noise only adds time), median ${fnum(calibration.medianMs)} ms CPU / ${fnum(calibration.wallMedianMs)} ms wall (CPU runs: ${calibration.verifyMs.map((v) => v.toFixed(1)).join(', ')}).`,
    );
    if (report.bootSeen.length > 0) {
      L.push('');
      L.push('Boot as measured by the app inside each server (bootstrap.php, getrusage / hrtime), read after the measured run:');
      L.push('');
      L.push('| server | boot CPU ms | boot wall ms | of which class loading (CPU ms) | paid |');
      L.push('| --- | ---: | ---: | ---: | --- |');
      for (const b of report.bootSeen)
        L.push(
          `| ${SERVER_LABEL[b.server]} | ${fnum(b.cpuMs)} | ${fnum(b.wallMs)} | ${fnum(b.loadCpuMs)} | ${b.server === 'rr' ? 'once per worker process (opcache cold in a new CLI process: the classes are compiled)' : 'on every request (median of 7 sequential requests)'} |`,
        );
    }
    L.push('');
  }
  if (opcache.length > 0) {
    L.push('## opcache (reported by each server’s PHP)');
    L.push('');
    L.push('| server | SAPI | opcache enabled | opcache.enable / enable_cli | JIT | validate_timestamps | memory_limit |');
    L.push('| --- | --- | --- | --- | --- | --- | --- |');
    for (const o of opcache) {
      const ini = o.info.opcache.ini;
      L.push(
        `| ${SERVER_LABEL[o.server]} | ${o.info.sapi} | ${o.info.opcache.enabled ? 'yes' : 'no'} | ${ini['opcache.enable']} / ${ini['opcache.enable_cli']} | ${o.info.opcache.jit ? 'on' : 'off'} (buffer ${ini['opcache.jit_buffer_size']}) | ${ini['opcache.validate_timestamps']} | ${o.info.memory_limit} |`,
      );
    }
    L.push('');
  }
  if (report.notes.length > 0) {
    L.push('## Notes');
    L.push('');
    for (const n of report.notes) L.push(`- ${n}`);
    L.push('');
  }
  if (profile) {
    L.push(`## rr CPU profile (${profile.app}, under the same load)`);
    L.push('');
    if (profile.error) {
      L.push(`Profiling failed: ${profile.error}`);
    } else {
      L.push(
        `node --cpu-prof on the rr process: ${fnum(profile.summary.busyMs / 1000, 1)} s busy of ${fnum(profile.summary.totalMs / 1000, 1)} s sampled (${fint(profile.rps)} req/s while profiled). Raw profile: \`${profile.file}\` (open in Chrome DevTools / speedscope).`,
      );
      L.push('');
      L.push(
        'Self time is sampled wall time of the main thread: a syscall frame (`writeBuffer`, `writev`) also carries the time the thread sat descheduled after waking a PHP worker on the busy cores; the "main CPU µs/req" column is the real CPU cost.',
      );
      L.push('');
      L.push('| self % of busy | self ms | function | where | called from (nearest repo frame) |');
      L.push('| ---: | ---: | --- | --- | --- |');
      for (const f of profile.summary.functions)
        L.push(`| ${fnum(f.pctBusy, 1)} | ${fnum(f.selfMs, 0)} | \`${f.fn}\` | ${f.where || '(native)'} | ${f.via ?? ''} |`);
      if (profile.summary.inclusive?.length) {
        L.push('');
        L.push('Inclusive time of rr functions (self + everything they call, % of busy):');
        L.push('');
        L.push('| total % | total ms | function | where |');
        L.push('| ---: | ---: | --- | --- |');
        for (const f of profile.summary.inclusive) L.push(`| ${fnum(f.pctBusy, 1)} | ${fnum(f.totalMs, 0)} | \`${f.fn}\` | ${f.where} |`);
      }
      L.push('');
      L.push('By area (self time, % of busy):');
      L.push('');
      L.push('| area | self % | self ms |');
      L.push('| --- | ---: | ---: |');
      for (const a of profile.summary.areas.slice(0, 20)) L.push(`| ${a.area} | ${fnum(a.pctBusy, 1)} | ${fnum(a.selfMs, 0)} |`);
    }
    L.push('');
  }
  return L.join('\n');
}
