import { describe, expect, it } from 'vitest';
import { Greeter, greeterConfigSchema, type GreeterConfigInput } from '../src/index.js';

const greeter = (input: GreeterConfigInput = {}) => new Greeter(greeterConfigSchema.parse(input));

describe('Greeter', () => {
  it('fills the template and counts per name', () => {
    const g = greeter({ greeting: 'Hi {name}, #{count}' });
    expect(g.greet('Ada')).toEqual({ message: 'Hi Ada, #1', count: 1 });
    expect(g.greet('Ada')).toEqual({ message: 'Hi Ada, #2', count: 2 });
    expect(g.greet('Bob')).toEqual({ message: 'Hi Bob, #1', count: 1 });
    expect([g.total, g.names]).toEqual([3, 2]);
  });

  it('greets the default name when given none', () => {
    expect(greeter({ default_name: 'stranger' }).greet('')).toEqual({ message: 'Hello, stranger!', count: 1 });
  });

  it('does not expand placeholders inside the name', () => {
    expect(greeter({ greeting: '{name}/{count}' }).greet('{count}').message).toBe('{count}/1');
  });

  it('refuses a name over max_name_length with a code', () => {
    expect(() => greeter({ max_name_length: 3 }).greet('Alice')).toThrow(expect.objectContaining({ code: 'RR_ERR_GREETER_NAME_TOO_LONG' }));
  });

  it('forgets the least recently greeted name beyond remember', () => {
    const g = greeter({ remember: 2 });
    g.greet('a');
    g.greet('b');
    g.greet('a'); // b is now the least recent
    g.greet('c');
    expect(g.names).toBe(2);
    expect(g.greet('a').count).toBe(3);
    expect(g.greet('b').count).toBe(1);
  });

  it('reports a counter and a gauge to the metrics plugin', async () => {
    const g = greeter();
    g.greet('x');
    g.greet('y');
    g.greet('x');
    const families = await g.collector().collect();
    expect(families).toEqual([
      expect.objectContaining({ name: 'rr_greeter_greetings_total', type: 'counter', samples: [{ labels: {}, value: 3 }] }),
      expect.objectContaining({ name: 'rr_greeter_names', type: 'gauge', samples: [{ labels: {}, value: 2 }] }),
    ]);
  });
});
