import { ref } from './ref.js';

/** The raw configuration, for the few plugins that need more than their own section. */
export interface CoreConfig {
  /** The config file's `version` (e.g. `'3'`). */
  readonly version: string;
  /** Whether a (dotted) key is present. */
  has(key: string): boolean;
  /** The raw, unvalidated value at a (dotted) key; deep-frozen. */
  section(key: string): unknown;
  /** Every section, raw and deep-frozen. */
  raw(): Readonly<Record<string, unknown>>;
}

/** The state of one plugin, as `rr serve` prints it. */
export type PluginState =
  | 'registered'
  | 'enabled'
  | 'disabled'
  | 'initialized'
  | 'serving'
  | 'stopping'
  | 'stopped'
  | 'failed';

/** One row of the kernel's report. */
export interface PluginReport {
  readonly id: string;
  readonly state: PluginState;
  /** Why the plugin is disabled or failed. */
  readonly reason?: string;
  /** For a disabled plugin: from this plugin down to the root cause, one entry per plugin. */
  readonly reasonChain?: readonly string[];
  /** For a failed plugin: the error code. */
  readonly code?: string;
}

/** The distribution a kernel runs in: `rr`, or a custom build's name, and its version. */
export interface DistributionInfo {
  readonly name: string;
  readonly version: string;
}

/** What `core.kernel` provides. */
export interface KernelInfo {
  /** The kernel's plugin-contract version. */
  readonly version: string;
  /** The binary this kernel runs in (what `rpc.Version` answers). */
  readonly distribution: DistributionInfo;
  /** Every registered plugin in registration order. */
  plugins(): readonly PluginReport[];
}

/** Built-in ref to the raw configuration; provided by the kernel itself. */
export const coreConfigRef = ref<CoreConfig>('core.config');

/** Built-in ref to the kernel's plugin list and states; provided by the kernel itself. */
export const coreKernelRef = ref<KernelInfo>('core.kernel');
