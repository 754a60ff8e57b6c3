/** Whether a ref has exactly one provider (`one`) or collects every provider's value (`many`). */
export type RefKind = 'one' | 'many';

/**
 * A typed token naming something a plugin provides. `T` exists only in types; refs compare by `id`,
 * so two copies of a contracts package still agree.
 */
export interface Ref<T, K extends RefKind = 'one'> {
  /** `'<owner>.<name>'`, e.g. `'server.poolFactory'`; `core.*` belongs to the kernel. */
  readonly id: string;
  readonly kind: K;
  /** Phantom carrier of `T`; never set. */
  readonly _type?: T;
}

/** Any ref, whatever its value type and kind. */
export type AnyRef = Ref<unknown, RefKind>;

/**
 * Declares a ref with exactly one provider.
 *
 * @example
 * export const poolFactoryRef = ref<PoolFactory>('server.poolFactory');
 */
export function ref<T>(id: string): Ref<T, 'one'> {
  return Object.freeze({ id, kind: 'one' });
}

/**
 * Declares a ref that any number of plugins provide; consumers `collects` it as a readonly array.
 *
 * @example
 * export const rpcEndpointsRef = manyRef<RpcEndpoint>('rpc.endpoints');
 */
export function manyRef<T>(id: string): Ref<T, 'many'> {
  return Object.freeze({ id, kind: 'many' });
}

/** Whether a value looks like a ref (plugins written in JavaScript get no compiler check). */
export function isRef(value: unknown): value is AnyRef {
  if (typeof value !== 'object' || value === null) return false;
  const { id, kind } = value as { id?: unknown; kind?: unknown };
  return typeof id === 'string' && id.length > 0 && (kind === 'one' || kind === 'many');
}
