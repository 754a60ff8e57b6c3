import { describe, expectTypeOf, it } from 'vitest';
import { z } from 'zod';
import {
  coreConfigRef,
  definePlugin,
  manyRef,
  ref,
  type CoreConfig,
  type Disabled,
  type InitContext,
  type Plugin,
  type Ref,
  type StandardSchemaV1,
} from '../src/index.js';

interface Logger {
  info(msg: string): void;
}
interface PoolFactory {
  create(): number;
}
interface Metrics {
  inc(name: string): void;
}
interface RpcEndpoint {
  namespace: string;
}

const loggerRef = ref<Logger>('logs.logger');
const poolFactoryRef = ref<PoolFactory>('server.poolFactory');
const metricsRef = ref<Metrics>('metrics.registry');
const rpcEndpointsRef = manyRef<RpcEndpoint>('rpc.endpoints');
const logger: Logger = { info() {} };
const schema = z.strictObject({ num_workers: z.number().default(4), address: z.string() });

describe('refs', () => {
  it('carry their value type and kind', () => {
    expectTypeOf(loggerRef).toEqualTypeOf<Ref<Logger, 'one'>>();
    expectTypeOf(rpcEndpointsRef).toEqualTypeOf<Ref<RpcEndpoint, 'many'>>();
    expectTypeOf(rpcEndpointsRef.kind).toEqualTypeOf<'many'>();
  });

  it('accept zod schemas as Standard Schemas', () => {
    expectTypeOf(schema).toExtend<StandardSchemaV1<unknown, { num_workers: number; address: string }>>();
  });
});

describe('definePlugin', () => {
  it('infers needs, optional, collects and config in init', () => {
    const plugin = definePlugin({
      id: 'http',
      kernel: '^1.0.0',
      config: { schema },
      needs: { logger: loggerRef, pools: poolFactoryRef, config: coreConfigRef, all: rpcEndpointsRef },
      optional: { metrics: metricsRef },
      collects: { endpoints: rpcEndpointsRef },
      init(ctx) {
        expectTypeOf(ctx.needs.logger).toEqualTypeOf<Logger>();
        expectTypeOf(ctx.needs.pools).toEqualTypeOf<PoolFactory>();
        expectTypeOf(ctx.needs.config).toEqualTypeOf<CoreConfig>();
        expectTypeOf(ctx.needs.all).toEqualTypeOf<readonly RpcEndpoint[]>();
        expectTypeOf(ctx.optional.metrics).toEqualTypeOf<Metrics | undefined>();
        expectTypeOf(ctx.collected.endpoints).toEqualTypeOf<readonly RpcEndpoint[]>();
        expectTypeOf(ctx.config).toEqualTypeOf<Readonly<{ num_workers: number; address: string }>>();
        expectTypeOf(ctx.disable).returns.toEqualTypeOf<Disabled>();
        // @ts-expect-error: undeclared needs are not on the context
        void ctx.needs.other;
        return {};
      },
    });
    expectTypeOf(plugin).toEqualTypeOf<Plugin>();
  });

  it('requires init to return every provided value, typed', () => {
    definePlugin({
      id: 'logs',
      kernel: '^1.0.0',
      provides: { logger: loggerRef, endpoint: rpcEndpointsRef },
      init: () => ({ provides: { logger, endpoint: { namespace: 'logs' } } }),
    });
    definePlugin({
      id: 'logs',
      kernel: '^1.0.0',
      provides: { logger: loggerRef },
      // @ts-expect-error: a provided value must match its ref's type
      init: () => ({ provides: { logger: 42 } }),
    });
    definePlugin({
      id: 'logs',
      kernel: '^1.0.0',
      provides: { logger: loggerRef, metrics: metricsRef },
      // @ts-expect-error: every declared key must be provided
      init: async () => ({ provides: { logger } }),
    });
    definePlugin({
      id: 'logs',
      kernel: '^1.0.0',
      provides: { logger: loggerRef },
      // @ts-expect-error: provides is required when the plugin declares any
      init: () => ({ stop: async () => {} }),
    });
  });

  it('lets a plugin without provides return only hooks, or disable itself', () => {
    definePlugin({
      id: 'watcher',
      kernel: '^1.0.0',
      init: ({ disable, config }) => {
        expectTypeOf(config).toEqualTypeOf<undefined>();
        return Math.random() > 0.5 ? disable('nothing to watch') : { serve: ({ fail }) => fail(new Error('x')), stop: ({ signal, deadline }) => void [signal, deadline] };
      },
    });
  });

  it('keeps many-refs out of optional and one-refs out of collects', () => {
    definePlugin({
      id: 'kv',
      kernel: '^1.0.0',
      // @ts-expect-error: optional takes refs with one provider
      optional: { endpoints: rpcEndpointsRef },
      init: () => ({}),
    });
    definePlugin({
      id: 'kv',
      kernel: '^1.0.0',
      // @ts-expect-error: collects takes many-refs
      collects: { logger: loggerRef },
      init: () => ({}),
    });
  });

  it('exposes the context type for helpers', () => {
    expectTypeOf<InitContext<undefined, { logger: typeof loggerRef }, Record<never, never>, Record<never, never>>['needs']>().toEqualTypeOf<{
      readonly logger: Logger;
    }>();
  });
});
