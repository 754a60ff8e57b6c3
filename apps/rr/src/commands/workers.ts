import type { ProcessState } from '@rr/contracts';
import type { RpcClient } from '@rr/goridge';
import { pipelineStates, renderPipelines } from './jobs.js';
import { renderBox } from './table.js';


/** One table per plugin that owns workers (`informer.List` then `informer.Workers`), as RoadRunner prints them. */
export async function workersTables(client: RpcClient, only: readonly string[], now = Date.now()): Promise<string> {
  const names = only.length > 0 ? [...only] : await client.call<string[]>('informer.List', true);
  const blocks: string[] = [];
  for (const name of names) {
    const { workers } = await client.call<{ workers: ProcessState[] | null }>('informer.Workers', name);
    blocks.push(renderTable(name, workers ?? [], now));
    // Pool owners with pipelines (jobs) also get RoadRunner's pipeline table.
    const pipelines = await pipelineStates(client, name);
    if (pipelines.length > 0) blocks.push(renderPipelines(pipelines));
  }
  return blocks.join('\n\n');
}

export function renderTable(name: string, workers: readonly ProcessState[], now: number): string {
  const rows = [['PID', 'STATUS', 'EXECS', 'MEMORY', 'CPU%', 'CREATED']];
  for (const w of workers) {
    rows.push([
      String(w.pid),
      w.statusStr,
      String(w.numExecs),
      `${(w.memoryUsage / 1024 / 1024).toFixed(1)} MB`,
      w.CPUPercent.toFixed(2),
      age(now - w.created / 1e6),
    ]);
  }
  return renderBox(`Workers of [${name}]:`, rows);
}

function age(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.floor(s / 60)}m${s % 60}s ago`;
  return `${Math.floor(s / 3600)}h${Math.floor((s % 3600) / 60)}m ago`;
}
