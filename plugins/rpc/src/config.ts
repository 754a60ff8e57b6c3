import { dsn } from '@rr/config';
import { z } from 'zod';

/** The `rpc` section. Its presence enables the plugin, as in RoadRunner. */
export const rpcConfigSchema = z
  .strictObject({
    listen: dsn({ allow: ['tcp', 'unix'] })
      .default({ scheme: 'tcp', host: '127.0.0.1', port: 6001, raw: 'tcp://127.0.0.1:6001' })
      .describe('Address of the RPC server: tcp://host:port or unix://path (default tcp://127.0.0.1:6001; an empty host listens on every interface)'),
  })
  .describe('Goridge RPC server used by the rr CLI (rr workers, rr reset) and by PHP (RPC::create)');

/** The resolved `rpc` section. */
export type RpcConfig = z.output<typeof rpcConfigSchema>;
/** The `rpc` section as written in YAML. */
export type RpcConfigInput = z.input<typeof rpcConfigSchema>;
