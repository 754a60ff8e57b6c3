// Summarises a V8 .cpuprofile (node --cpu-prof): self time per function and per area of the code.
import { readFileSync } from 'node:fs';

/** Short location: repo-relative path, node_modules package path, or node:internal module. */
export function shortUrl(url, repo) {
  if (url === '') return '';
  let u = url.replace(/^file:\/\//, '');
  const nm = u.lastIndexOf('/node_modules/');
  if (nm >= 0) {
    u = u.slice(nm + 14);
    // pnpm layout: .pnpm/<pkg>@<ver>/node_modules/<pkg>/...
    return `npm:${u}`;
  }
  if (u.startsWith(`${repo}/`)) return u.slice(repo.length + 1);
  return u;
}

/** Which part of the stack a location belongs to. */
export function areaOf(url, fn) {
  if (url === '') {
    if (fn === '(garbage collector)') return 'gc';
    if (fn === '(idle)') return 'idle';
    if (fn === '(program)') return 'program (native/VM)';
    return 'native';
  }
  const m = /(?:^|\/)(packages|plugins|apps)\/([^/]+)\//.exec(url);
  if (m && !url.includes('node_modules')) return `${m[1]}/${m[2]}`;
  if (url.startsWith('npm:')) {
    const rest = url.slice(4).replace(/^\.pnpm\/[^/]+\/node_modules\//, '');
    const parts = rest.split('/');
    return `npm:${parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]}`;
  }
  if (url.startsWith('node:')) {
    const mod = url.slice(5).replace(/^internal\//, 'internal/');
    if (/http|_http|streams|net|stream_base|timers|async_hooks|process\/task_queues/.test(mod)) return `node:${mod.split('/').slice(0, 2).join('/')}`;
    return `node:${mod.split('/')[0]}`;
  }
  return 'other';
}

/** Code of this repo (not node internals, not node_modules). */
const isRepo = (where) => /^(packages|plugins|apps)\//.test(where);

/**
 * Self time per function (top `top`), per area, the nearest repo caller of the hottest native /
 * node-internal frames, and inclusive time of repo functions.
 *
 * Note: V8 samples the main thread on a wall-clock timer; time the thread spends descheduled inside a
 * syscall (e.g. right after a write woke a PHP worker on a busy 2-core machine) counts as self time of
 * that syscall frame. Compare with the CPU µs per request of the run.
 *
 * @returns {{ totalMs: number, idleMs: number, busyMs: number, functions: Array<{ fn: string, where: string, selfMs: number, pctBusy: number, pctTotal: number, via?: string }>, areas: Array<{ area: string, selfMs: number, pctBusy: number }>, inclusive: Array<{ fn: string, where: string, totalMs: number, pctBusy: number }> }}
 */
export function summarizeProfile(file, repo, top = 25) {
  const profile = JSON.parse(readFileSync(file, 'utf8'));
  const byId = new Map();
  const parent = new Map();
  for (const node of profile.nodes) byId.set(node.id, node);
  for (const node of profile.nodes) for (const c of node.children ?? []) parent.set(c, node.id);
  const selfUs = new Map();
  const { samples, timeDeltas } = profile;
  for (let i = 0; i < samples.length; i++) {
    // timeDeltas[i + 1] is the time until the next sample: attributed to sample i (as DevTools does).
    const dt = timeDeltas[i + 1] ?? 0;
    selfUs.set(samples[i], (selfUs.get(samples[i]) ?? 0) + Math.max(0, dt));
  }
  const frameOf = (id) => {
    const cf = byId.get(id).callFrame;
    const where = shortUrl(cf.url, repo);
    return { fn: cf.functionName || '(anonymous)', where: where === '' ? '' : `${where}:${cf.lineNumber + 1}`, file: where };
  };
  const fns = new Map();
  const areas = new Map();
  const incl = new Map();
  let total = 0;
  let idle = 0;
  for (const [id, us] of selfUs) {
    if (!byId.has(id)) continue;
    const f = frameOf(id);
    total += us;
    if (f.fn === '(idle)') {
      idle += us;
      continue;
    }
    const key = `${f.fn}\u0000${f.where}`;
    const entry = fns.get(key) ?? { fn: f.fn, where: f.where, file: f.file, us: 0, via: new Map() };
    entry.us += us;
    fns.set(key, entry);
    const area = areaOf(f.file, f.fn);
    areas.set(area, (areas.get(area) ?? 0) + us);
    // Walk the stack once: nearest repo caller (for native/node frames) and inclusive time of repo functions.
    const seen = new Set();
    let nearest;
    for (let x = parent.get(id); x !== undefined; x = parent.get(x)) {
      const pf = frameOf(x);
      if (!isRepo(pf.file)) continue;
      const label = `${pf.fn} (${pf.where})`;
      if (nearest === undefined) nearest = label;
      if (!seen.has(label)) {
        seen.add(label);
        incl.set(label, { fn: pf.fn, where: pf.where, us: (incl.get(label)?.us ?? 0) + us });
      }
    }
    if (isRepo(f.file)) {
      const label = `${f.fn} (${f.where})`;
      if (!seen.has(label)) incl.set(label, { fn: f.fn, where: f.where, us: (incl.get(label)?.us ?? 0) + us });
    } else if (nearest !== undefined) {
      entry.via.set(nearest, (entry.via.get(nearest) ?? 0) + us);
    }
  }
  const busy = total - idle;
  const functions = [...fns.values()]
    .sort((a, b) => b.us - a.us)
    .slice(0, top)
    .map((e) => {
      const via = [...e.via.entries()].sort((a, b) => b[1] - a[1])[0];
      return {
        fn: e.fn,
        where: e.where,
        selfMs: e.us / 1000,
        pctBusy: (100 * e.us) / busy,
        pctTotal: (100 * e.us) / total,
        via: via && via[1] > e.us * 0.3 ? via[0] : undefined,
      };
    });
  const areaList = [...areas.entries()].sort((a, b) => b[1] - a[1]).map(([area, us]) => ({ area, selfMs: us / 1000, pctBusy: (100 * us) / busy }));
  const inclusive = [...incl.values()]
    .sort((a, b) => b.us - a.us)
    .slice(0, 15)
    .map((e) => ({ fn: e.fn, where: e.where, totalMs: e.us / 1000, pctBusy: (100 * e.us) / busy }));
  return { totalMs: total / 1000, idleMs: idle / 1000, busyMs: busy / 1000, functions, areas: areaList, inclusive };
}
