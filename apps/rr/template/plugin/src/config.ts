import { int } from '@rr/config';
import { z } from 'zod';

/**
 * The `__PLUGIN_ID__` section of .rr.yaml. Its presence enables the plugin. Every field is described
 * (the description becomes the schema's documentation); numbers use @rr/config's int() so that
 * "${ENV_VAR}" values work.
 */
export const __CAMEL__ConfigSchema = z
  .strictObject({
    prefix: z.string().default('').describe('Put in front of every message __PLUGIN_ID__.Echo returns (default "")'),
    max_length: int({ min: 1 }).default(1024).describe('Longest message __PLUGIN_ID__.Echo accepts, in characters (default 1024)'),
  })
  .describe('The __PLUGIN_ID__ plugin');

/** The section after validation, with defaults applied. */
export type __PASCAL__Config = z.output<typeof __CAMEL__ConfigSchema>;
/** The section as written in YAML. */
export type __PASCAL__ConfigInput = z.input<typeof __CAMEL__ConfigSchema>;
