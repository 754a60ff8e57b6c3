import { describe, expect, it } from 'vitest';
import { renderTable } from '../src/commands/workers.js';

describe('rr workers table', () => {
  it('renders RoadRunner-style columns with memory in MB and the age', () => {
    const now = 1_700_000_000_000;
    const text = renderTable('http', [
      { pid: 101, status: 1, statusStr: 'ready', numExecs: 12, created: (now - 90_000) * 1e6, memoryUsage: 25 * 1024 * 1024, CPUPercent: 1.5, command: 'php worker.php' },
    ], now);
    expect(text.split('\n')).toEqual([
      'Workers of [http]:',
      '+-----+--------+-------+---------+------+-----------+',
      '| PID | STATUS | EXECS | MEMORY  | CPU% | CREATED   |',
      '+-----+--------+-------+---------+------+-----------+',
      '| 101 | ready  | 12    | 25.0 MB | 1.50 | 1m30s ago |',
      '+-----+--------+-------+---------+------+-----------+',
    ]);
  });
});
