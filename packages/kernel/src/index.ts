// The public surface of @rr/kernel. Everything else in src/ is internal.
export { ref, manyRef, type Ref, type RefKind, type AnyRef } from './ref.js';
export {
  definePlugin,
  type Plugin,
  type PluginSpec,
  type PluginConfigSpec,
  type PluginInstance,
  type PluginHooks,
  type InitContext,
  type ServeContext,
  type StopContext,
  type Disabled,
  type Refs,
  type OneRefs,
  type ManyRefs,
  type NoRefs,
  type Needed,
  type Optional,
  type Collected,
  type Provided,
} from './define-plugin.js';
export type {
  StandardSchemaV1,
  StandardSchemaProps,
  StandardSchemaResult,
  StandardSchemaIssue,
  StandardSchemaTypes,
  InferSchemaOutput,
} from './standard-schema.js';
export {
  coreConfigRef,
  coreKernelRef,
  type CoreConfig,
  type KernelInfo,
  type DistributionInfo,
  type PluginReport,
  type PluginState,
} from './core-refs.js';
export { createKernel, type Kernel, type KernelOptions, type KernelLogger, type KernelState } from './kernel.js';
export type { KernelEvents, KernelListener } from './emitter.js';
export { toConfigIssues, type ConfigIssue } from './sections.js';
export { kernelErrors, kernelWarnings } from './errors.js';
export { KERNEL_VERSION } from './version.js';
export { RrError, isRrError, defineErrors, type RrErrorOptions, type ErrorSpec } from '@rr/errors';
