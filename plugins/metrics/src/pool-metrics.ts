import type { MetricFamily, MetricSample, MetricsCollector, WorkerSource } from '@rr/contracts';

const gauge = (name: string, help: string, samples: readonly MetricSample[]): MetricFamily => ({ name, help, type: 'gauge', samples });

/**
 * A pool-owning plugin's worker metrics, as RoadRunner's pool collector names them (`rr_<plugin>_…`):
 * total_workers, workers_memory_bytes, worker_state{state,pid}, worker_memory_bytes{pid} and
 * workers_ready/working/invalid (every state other than ready and working counts as invalid).
 */
export function workerSourceCollector(source: WorkerSource): MetricsCollector {
  const prefix = `rr_${source.name}`;
  return {
    name: source.name,
    collect() {
      const workers = source.workers();
      let memory = 0;
      let ready = 0;
      let working = 0;
      for (const w of workers) {
        memory += w.memoryUsage;
        if (w.statusStr === 'ready') ready++;
        else if (w.statusStr === 'working') working++;
      }
      return [
        gauge(`${prefix}_total_workers`, 'Total number of workers used by the plugin', [{ labels: {}, value: workers.length }]),
        gauge(`${prefix}_workers_memory_bytes`, 'Memory usage by workers', [{ labels: {}, value: memory }]),
        // RoadRunner reports the state in the label; the value carries nothing (0).
        gauge(`${prefix}_worker_state`, 'Worker current state', workers.map((w) => ({ labels: { state: w.statusStr, pid: String(w.pid) }, value: 0 }))),
        gauge(`${prefix}_worker_memory_bytes`, 'Worker current memory usage', workers.map((w) => ({ labels: { pid: String(w.pid) }, value: w.memoryUsage }))),
        gauge(`${prefix}_workers_ready`, 'Workers currently in ready state', [{ labels: {}, value: ready }]),
        gauge(`${prefix}_workers_working`, 'Workers currently in working state', [{ labels: {}, value: working }]),
        gauge(`${prefix}_workers_invalid`, 'Workers currently in invalid state', [{ labels: {}, value: workers.length - ready - working }]),
      ];
    },
  };
}
