import { readFile } from 'node:fs/promises';
import type { JobsDriver } from '@rr/contracts';
import { amqpPipelineConfigSchema, type AmqpConfig, type AmqpPipelineConfig } from './config.js';
import { amqpErrors } from './errors.js';
import { AmqpPipeline, DEFAULT_TIMINGS, type AmqpEndpoint, type AmqpTimings } from './pipeline.js';
import { redactAddr } from './wire.js';

/** RoadRunner's amqp `prefetch` default. */
export const AMQP_DEFAULT_PREFETCH = 10;

async function readTlsFile(file: string | undefined): Promise<Buffer | undefined> {
  if (file === undefined || file === '') return undefined;
  try {
    return await readFile(file);
  } catch (err) {
    throw amqpErrors.TLS_FILE(file, err instanceof Error ? err.message : String(err), { cause: err });
  }
}

/** The root section made ready for amqplib: TLS files are read at each open, so a renewed certificate is picked up. */
async function endpointOf(config: AmqpConfig): Promise<AmqpEndpoint> {
  const [key, cert, ca] = await Promise.all([readTlsFile(config.tls?.key), readTlsFile(config.tls?.cert), readTlsFile(config.tls?.root_ca)]);
  return {
    addr: config.addr,
    socket: { ...(key === undefined ? {} : { key }), ...(cert === undefined ? {} : { cert }), ...(ca === undefined ? {} : { ca }) },
  };
}

/**
 * Creates the `amqp` jobs driver over the root `amqp` section. Nothing connects here: each pipeline opens
 * its own connection in `open`. `timings` is for tests.
 */
export function createAmqpJobsDriver(config: AmqpConfig, timings: Partial<AmqpTimings> = {}): JobsDriver<AmqpPipelineConfig> {
  const resolved = { ...DEFAULT_TIMINGS, ...timings };
  return {
    name: 'amqp',
    configSchema: amqpPipelineConfigSchema,
    defaultPrefetch: AMQP_DEFAULT_PREFETCH,
    async open(ctx) {
      const endpoint = await endpointOf(config);
      if (config.tls !== undefined && !config.addr.startsWith('amqps://')) {
        ctx.logger.warn('amqp.tls is set but amqp.addr is not amqps://: the connection is not encrypted', { addr: redactAddr(config.addr) });
      }
      return AmqpPipeline.open(ctx, endpoint, resolved);
    },
  };
}
