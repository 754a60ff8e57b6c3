import { describe, expect, it } from 'vitest';
import { PriorityQueue } from '../src/priority-queue.js';

describe('PriorityQueue', () => {
  it('takes the lowest priority first and keeps FIFO within a priority', () => {
    const q = new PriorityQueue<string>(100);
    const input: [string, number][] = [['a', 10], ['b', 1], ['c', 10], ['d', 5], ['e', 1], ['f', 10], ['g', 5]];
    for (const [v, p] of input) q.offer(v, p);
    const out: string[] = [];
    for (let v = q.take(); v !== undefined; v = q.take()) out.push(v);
    expect(out).toEqual(['b', 'e', 'd', 'g', 'a', 'c', 'f']);
  });

  it('keeps heap order across many interleaved offers and takes', () => {
    const q = new PriorityQueue<[number, number]>(10_000);
    let seq = 0;
    const taken: [number, number][] = [];
    for (let round = 0; round < 50; round++) {
      for (let i = 0; i < 40; i++) {
        const p = (i * 7 + round) % 5;
        q.offer([p, seq++], p);
      }
      for (let i = 0; i < 20; i++) taken.push(q.take() as [number, number]);
    }
    expect(q.size).toBe(1000);
    const rest: [number, number][] = [];
    for (let v = q.take(); v !== undefined; v = q.take()) rest.push(v);
    const sorted = [...rest].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    expect(rest).toEqual(sorted);
    expect(taken).toHaveLength(1000);
  });

  it('makes offers wait while full, releasing one per take, and drain returns matching items in order', async () => {
    const q = new PriorityQueue<string>(2);
    expect(q.offer('a', 1)).toBeUndefined();
    expect(q.offer('b', 1)).toBeUndefined();
    let released = false;
    void q.offer('c', 0)?.then(() => (released = true));
    await Promise.resolve();
    expect(released).toBe(false);
    expect(q.take()).toBe('c');
    await Promise.resolve();
    expect(released).toBe(true);
    q.offer('d', 3);
    expect(q.drain((v) => v !== 'b')).toEqual(['a', 'd']);
    expect(q.size).toBe(1);
  });
});
