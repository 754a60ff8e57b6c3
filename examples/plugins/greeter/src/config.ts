import { int } from '@rr/config';
import { z } from 'zod';

/** The `greeter` section. Its presence enables the plugin. */
export const greeterConfigSchema = z
  .strictObject({
    greeting: z
      .string()
      .refine((text) => text.includes('{name}'), { message: 'the greeting must contain {name}' })
      .default('Hello, {name}!')
      .describe('Template of the answer of greeter.Hello: {name} is the name, {count} how often it was greeted (default "Hello, {name}!")'),
    default_name: z.string().min(1).default('world').describe('Name used when greeter.Hello gets none (default "world")'),
    max_name_length: int({ min: 1 }).default(64).describe('Longest name greeter.Hello accepts, in characters (default 64)'),
    remember: int({ min: 1 })
      .default(1000)
      .describe('How many distinct names keep their count; beyond it the least recently greeted is forgotten (default 1000)'),
  })
  .describe('The greeter example plugin: greetings over RPC, counted for the metrics plugin');

/** The resolved `greeter` section. */
export type GreeterConfig = z.output<typeof greeterConfigSchema>;
/** The `greeter` section as written in YAML. */
export type GreeterConfigInput = z.input<typeof greeterConfigSchema>;
