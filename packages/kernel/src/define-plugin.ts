import type { AnyRef, Ref, RefKind } from './ref.js';
import type { StandardSchemaV1 } from './standard-schema.js';

/** A record of refs, keyed by the name the plugin uses for each. */
export type Refs = Record<string, AnyRef>;
/** Refs with a single provider (what `optional` accepts). */
export type OneRefs = Record<string, Ref<unknown, 'one'>>;
/** Refs with many providers (what `collects` accepts). */
export type ManyRefs = Record<string, Ref<unknown, 'many'>>;
/** The empty declaration: what an omitted `needs`, `optional`, `collects` or `provides` means. */
export type NoRefs = Record<never, never>;

/** The values a plugin receives for `needs` (a many-ref gives every enabled provider's value). */
export type Needed<R extends Refs> = {
  readonly [K in keyof R]: R[K] extends Ref<infer T, 'many'> ? readonly T[] : R[K] extends Ref<infer T, 'one'> ? T : never;
};
/** The values a plugin receives for `optional`: `undefined` when no enabled plugin provides one. */
export type Optional<R extends OneRefs> = {
  readonly [K in keyof R]: R[K] extends Ref<infer T, 'one'> ? T | undefined : never;
};
/** The values a plugin receives for `collects`: every enabled provider's value, in registration order. */
export type Collected<R extends ManyRefs> = {
  readonly [K in keyof R]: R[K] extends Ref<infer T, 'many'> ? readonly T[] : never;
};
/** What `init` must return under `provides`: one value per declared ref. */
export type Provided<R extends Refs> = {
  [K in keyof R]: R[K] extends Ref<infer T, RefKind> ? T : never;
};

/** How a plugin's config section is found and validated. */
export interface PluginConfigSpec<C> {
  /** Validates the section; its output (defaults applied) reaches `init`, deep-frozen. */
  schema: StandardSchemaV1<unknown, C>;
  /** The section key, dotted for nested sections; defaults to the plugin id. */
  key?: string;
  /**
   * `'disable'` (the default): no section, no plugin. `'defaults'`: run on the schema's defaults,
   * validated from `{}`.
   */
  whenAbsent?: 'disable' | 'defaults';
}

/** Brands the {@link Disabled} marker so no plain object passes for it. @internal */
export const DISABLED = Symbol('rr.kernel.disabled');

/** What `ctx.disable(reason)` returns; returning it from `init` disables the plugin. */
export interface Disabled {
  readonly [DISABLED]: true;
  readonly reason: string;
}

/** What `init` receives. */
export interface InitContext<C, N extends Refs, O extends OneRefs, L extends ManyRefs> {
  readonly id: string;
  /** The validated, defaulted, deep-frozen section (`undefined` for a plugin without config). */
  readonly config: Readonly<C>;
  readonly needs: Needed<N>;
  readonly optional: Optional<O>;
  readonly collected: Collected<L>;
  /**
   * Builds the marker that disables this plugin when `init` returns it. Dependents cascade as for an
   * absent section. Call it before acquiring anything: a disabled plugin is never stopped.
   */
  disable(reason: string): Disabled;
}

/** What `serve` receives. */
export interface ServeContext {
  /** Reports a fault after serve resolved; the kernel stops every plugin in order. */
  fail(err: unknown): void;
  /** Aborts when the kernel starts stopping. */
  readonly signal: AbortSignal;
}

/** What `stop` receives. */
export interface StopContext {
  /** Fires at `deadline`; after it the kernel moves on without waiting. */
  readonly signal: AbortSignal;
  /** Epoch milliseconds by which stop must have finished. */
  readonly deadline: number;
}

/** The lifecycle hooks a successful `init` returns. */
export interface PluginHooks {
  /** Starts accepting work. Resolve when ready; report later faults through `ctx.fail`. */
  serve?: ((ctx: ServeContext) => Promise<void> | void) | undefined;
  /** Releases everything init or serve acquired. Must be safe when serve never ran. */
  stop?: ((ctx: StopContext) => Promise<void> | void) | undefined;
}

/** What a successful `init` returns: hooks, plus `provides` when the plugin declares any. */
export type PluginInstance<P extends Refs> = PluginHooks &
  ([keyof P] extends [never] ? { provides?: Provided<P> } : { provides: Provided<P> });

/** The declaration `definePlugin` takes. */
export interface PluginSpec<C, N extends Refs, O extends OneRefs, L extends ManyRefs, P extends Refs> {
  /** YAML key (by default), RPC namespace and logger name; `^[a-z][a-z0-9_]*$`. */
  id: string;
  /** The semver range of `@rr/kernel` this plugin was built for, e.g. `'^1.0.0'`. */
  kernel: string;
  config?: PluginConfigSpec<C>;
  /** Required refs: a missing provider is an error, a disabled one disables this plugin (or fails). */
  needs?: N;
  /** Refs used when provided; `undefined` otherwise. */
  optional?: O;
  /** Many-refs gathered from every enabled provider. */
  collects?: L;
  /** Refs this plugin's `init` returns values for. */
  provides?: P;
  init(
    ctx: InitContext<NoInfer<C>, NoInfer<N>, NoInfer<O>, NoInfer<L>>,
  ): Promise<PluginInstance<NoInfer<P>> | Disabled> | PluginInstance<NoInfer<P>> | Disabled;
}

/** A defined plugin, as the kernel receives it. Type parameters are erased: the kernel sees only declarations. */
export interface Plugin {
  readonly id: string;
  readonly kernel: string;
  readonly config?: PluginConfigSpec<unknown> | undefined;
  readonly needs?: Refs | undefined;
  readonly optional?: OneRefs | undefined;
  readonly collects?: ManyRefs | undefined;
  readonly provides?: Refs | undefined;
  // Method syntax keeps every concrete plugin assignable here whatever its context type.
  init(ctx: InitContext<unknown, Refs, OneRefs, ManyRefs>): Promise<unknown> | unknown;
}

/**
 * Declares a plugin. Types flow from the declaration: `needs` of a `ref<Logger>` gives a `Logger`,
 * a `manyRef<T>` gives `readonly T[]`, `optional` gives `T | undefined`, and `init` must return a
 * value for every `provides` key. The declaration is checked when a kernel starts.
 *
 * @example
 * export const kvPlugin = definePlugin({
 *   id: 'kv',
 *   kernel: '^1.0.0',
 *   config: { schema: kvConfigSchema },
 *   needs: { logger: loggerRef },
 *   collects: { drivers: kvDriversRef },
 *   provides: { storages: kvStoragesRef },
 *   async init({ config, needs, collected, disable }) {
 *     if (Object.keys(config).length === 0) return disable('no storages declared under "kv"');
 *     const storages = await openStorages(config, collected.drivers, needs.logger);
 *     return { provides: { storages }, stop: ({ signal }) => storages.closeAll(signal) };
 *   },
 * });
 */
export function definePlugin<
  C = undefined,
  N extends Refs = NoRefs,
  O extends OneRefs = NoRefs,
  L extends ManyRefs = NoRefs,
  P extends Refs = NoRefs,
>(spec: PluginSpec<C, N, O, L, P>): Plugin {
  return Object.freeze({ ...spec }) as unknown as Plugin;
}
