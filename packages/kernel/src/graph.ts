import semver from 'semver';
import type { RrError } from '@rr/errors';
import type { Plugin } from './define-plugin.js';
import { kernelErrors } from './errors.js';
import { isRef, type AnyRef, type RefKind } from './ref.js';
import { KERNEL_VERSION } from './version.js';

/** Where a plugin declared a ref it consumes. */
export type InputField = 'needs' | 'optional' | 'collects';

/** One consumed ref of a plugin. */
export interface Input {
  readonly field: InputField;
  readonly key: string;
  readonly ref: AnyRef;
}

/** A registered plugin with its declarations normalised. */
export interface PluginNode {
  readonly plugin: Plugin;
  readonly id: string;
  /** Registration position; breaks init-order ties. */
  readonly index: number;
  readonly inputs: readonly Input[];
  readonly outputs: readonly { readonly key: string; readonly ref: AnyRef }[];
}

/** The checked plugin list. */
export interface Graph {
  readonly nodes: readonly PluginNode[];
  /** Ref id → its registered providers, in registration order. */
  readonly providers: ReadonlyMap<string, readonly PluginNode[]>;
  /** Topological over needs, optional and collects edges; ties by registration order. */
  readonly initOrder: readonly PluginNode[];
}

/** Refs whose values the kernel provides itself; no plugin may provide a `core.*` ref. */
export const CORE_PREFIX = 'core.';
const PLUGIN_ID = /^[a-z][a-z0-9_]*$/;
const FIELDS = ['needs', 'optional', 'collects', 'provides'] as const;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The shape problems of one plugin's declarations (for plugins written without the compiler). */
function shapeProblems(plugin: Plugin): string[] {
  const problems: string[] = [];
  if (typeof plugin.init !== 'function') problems.push('init is not a function');
  for (const field of FIELDS) {
    const refs: unknown = plugin[field];
    if (refs === undefined) continue;
    if (!isRecord(refs)) {
      problems.push(`${field} is not a record of refs`);
      continue;
    }
    const ids = new Set<string>();
    for (const [key, value] of Object.entries(refs)) {
      if (!isRef(value)) problems.push(`${field}.${key} is not a ref`);
      else if (field === 'provides' && ids.has(value.id)) problems.push(`provides.${key}: ${value.id} is provided twice`);
      else if (field === 'optional' && value.kind === 'many') problems.push(`optional.${key} is a manyRef; put it under collects`);
      else if (field === 'collects' && value.kind === 'one') problems.push(`collects.${key} is a ref with one provider; put it under needs or optional`);
      else if (field === 'provides' && value.id.startsWith(CORE_PREFIX)) problems.push(`provides.${key}: ${value.id} belongs to the kernel`);
      if (isRef(value)) ids.add(value.id);
    }
  }
  const config: unknown = plugin.config;
  if (config !== undefined) {
    const spec = isRecord(config) ? config : {};
    const standard: unknown = isRecord(spec.schema) ? spec.schema['~standard'] : undefined;
    if (!isRecord(standard) || typeof standard.validate !== 'function') problems.push('config.schema is not a Standard Schema');
    if (spec.key !== undefined && (typeof spec.key !== 'string' || spec.key === '')) problems.push('config.key is not a non-empty string');
    if (spec.whenAbsent !== undefined && spec.whenAbsent !== 'disable' && spec.whenAbsent !== 'defaults') {
      problems.push("config.whenAbsent is neither 'disable' nor 'defaults'");
    }
  }
  return problems;
}

function toNode(plugin: Plugin, index: number): PluginNode {
  const inputs: Input[] = [];
  for (const field of ['needs', 'optional', 'collects'] as const) {
    for (const [key, ref] of Object.entries(plugin[field] ?? {})) inputs.push({ field, key, ref });
  }
  const outputs = Object.entries(plugin.provides ?? {}).map(([key, ref]) => ({ key, ref }));
  return { plugin, id: plugin.id, index, inputs, outputs };
}

/**
 * Register-time checks: ids, duplicates, kernel ranges, declaration shapes, ref kinds, missing and
 * duplicate providers. Every problem is returned, so one run reports them all.
 */
export function registerPlugins(plugins: readonly unknown[]): { nodes: PluginNode[]; errors: RrError[] } {
  const errors: RrError[] = [];
  const nodes: PluginNode[] = [];
  const seen = new Set<string>();
  plugins.forEach((candidate, index) => {
    if (!isRecord(candidate)) {
      errors.push(kernelErrors.INVALID_PLUGIN(`#${String(index)}`, `expected a plugin from definePlugin(), got ${String(candidate)}`));
      return;
    }
    const plugin = candidate as unknown as Plugin;
    const id: unknown = plugin.id;
    if (typeof id !== 'string' || !PLUGIN_ID.test(id)) {
      errors.push(kernelErrors.INVALID_PLUGIN_ID(String(id), { details: { index } }));
      return;
    }
    if (seen.has(id)) {
      errors.push(kernelErrors.DUPLICATE_PLUGIN(id, { plugin: id }));
      return;
    }
    seen.add(id);
    const range: unknown = plugin.kernel;
    if (typeof range !== 'string' || !semver.satisfies(KERNEL_VERSION, range)) {
      errors.push(kernelErrors.VERSION_MISMATCH(id, String(range), KERNEL_VERSION, { plugin: id, details: { range, version: KERNEL_VERSION } }));
    }
    const problems = shapeProblems(plugin);
    for (const problem of problems) errors.push(kernelErrors.INVALID_PLUGIN(id, problem, { plugin: id }));
    if (problems.length === 0) nodes.push(toNode(plugin, nodes.length));
  });
  errors.push(...checkRefs(nodes));
  return { nodes, errors };
}

function checkRefs(nodes: readonly PluginNode[]): RrError[] {
  const errors: RrError[] = [];
  const kinds = new Map<string, { kind: RefKind; owner: string }>();
  const providers = providerIndex(nodes);
  for (const node of nodes) {
    for (const { ref, key } of [...node.inputs, ...node.outputs]) {
      const known = kinds.get(ref.id);
      if (known === undefined) kinds.set(ref.id, { kind: ref.kind, owner: node.id });
      else if (known.kind !== ref.kind) {
        errors.push(
          kernelErrors.INVALID_PLUGIN(node.id, `${key}: ${ref.id} is a '${ref.kind}' ref here but a '${known.kind}' ref in '${known.owner}'`, {
            plugin: node.id,
          }),
        );
      }
    }
    for (const input of node.inputs) {
      if (input.field !== 'needs' || input.ref.id.startsWith(CORE_PREFIX) || providers.has(input.ref.id)) continue;
      errors.push(kernelErrors.MISSING_PROVIDER(node.id, input.ref.id, { plugin: node.id, details: { ref: input.ref.id, key: input.key } }));
    }
  }
  for (const [refId, list] of providers) {
    if (list.length > 1 && list.some((node) => node.outputs.some((o) => o.ref.id === refId && o.ref.kind === 'one'))) {
      const names = list.map((node) => `'${node.id}'`).join(', ');
      errors.push(kernelErrors.DUPLICATE_PROVIDER(refId, names, { details: { ref: refId, plugins: list.map((n) => n.id) } }));
    }
  }
  return errors;
}

function providerIndex(nodes: readonly PluginNode[]): Map<string, PluginNode[]> {
  const providers = new Map<string, PluginNode[]>();
  for (const node of nodes) {
    for (const { ref } of node.outputs) {
      // A plugin provides each ref id once (shapeProblems), so no node is listed twice.
      providers.set(ref.id, [...(providers.get(ref.id) ?? []), node]);
    }
  }
  return providers;
}

/** The registered providers `node` depends on through the given fields, each once, in registration order. */
export function dependenciesOf(
  node: PluginNode,
  providers: ReadonlyMap<string, readonly PluginNode[]>,
  fields: readonly InputField[],
): PluginNode[] {
  const found = new Set<PluginNode>();
  for (const input of node.inputs) {
    if (!fields.includes(input.field)) continue;
    for (const provider of providers.get(input.ref.id) ?? []) found.add(provider);
  }
  return [...found].sort((a, b) => a.index - b.index);
}

const ALL_FIELDS: readonly InputField[] = ['needs', 'optional', 'collects'];

/**
 * Orders the checked plugins for init (Kahn's algorithm, ties by registration order).
 *
 * @throws RR_ERR_KERNEL_CYCLE naming the path, `a -> b -> a` reading "a needs b".
 */
export function buildGraph(nodes: readonly PluginNode[]): Graph {
  const providers = providerIndex(nodes);
  const deps = new Map(nodes.map((node) => [node, dependenciesOf(node, providers, ALL_FIELDS)]));
  const done = new Set<PluginNode>();
  const initOrder: PluginNode[] = [];
  for (;;) {
    const next = nodes.find((node) => !done.has(node) && (deps.get(node) ?? []).every((dep) => done.has(dep)));
    if (next === undefined) break;
    done.add(next);
    initOrder.push(next);
  }
  if (initOrder.length < nodes.length) throw cycleError(nodes.filter((node) => !done.has(node)), deps);
  return { nodes, providers, initOrder };
}

/**
 * Every node left after Kahn's algorithm waits on another left node, so walking "needs" edges from
 * any of them must revisit a node; the revisited stretch is a cycle.
 */
function cycleError(left: readonly PluginNode[], deps: ReadonlyMap<PluginNode, readonly PluginNode[]>): RrError {
  const walk: PluginNode[] = [];
  let current = left[0] as PluginNode;
  while (!walk.includes(current)) {
    walk.push(current);
    current = (deps.get(current) ?? []).find((dep) => left.includes(dep)) as PluginNode;
  }
  const cycle = walk.slice(walk.indexOf(current));
  const start = cycle.reduce((min, node) => (node.index < min.index ? node : min));
  const rotated = [...cycle.slice(cycle.indexOf(start)), ...cycle.slice(0, cycle.indexOf(start))];
  const path = [...rotated, start].map((node) => node.id);
  return kernelErrors.CYCLE(path.join(' -> '), { details: { path } });
}

/**
 * Graph depth over needs and optional edges among `members` (collect edges bind values at init and
 * do not order serve or stop): 0 without dependencies, else one more than the deepest dependency.
 */
export function depths(graph: Graph, members: ReadonlySet<PluginNode>): Map<PluginNode, number> {
  const depth = new Map<PluginNode, number>();
  for (const node of graph.initOrder) {
    if (!members.has(node)) continue;
    const deps = dependenciesOf(node, graph.providers, ['needs', 'optional']).filter((dep) => members.has(dep));
    depth.set(node, deps.reduce((max, dep) => Math.max(max, (depth.get(dep) ?? 0) + 1), 0));
  }
  return depth;
}

/** Serve order: by depth (shallow first), then id. Sorting by depth alone is already topological. */
export function serveOrder(graph: Graph, members: ReadonlySet<PluginNode>): PluginNode[] {
  const depth = depths(graph, members);
  return [...depth.keys()].sort((a, b) => (depth.get(a) ?? 0) - (depth.get(b) ?? 0) || (a.id < b.id ? -1 : 1));
}

/** Stop levels: exact reverse serve order, grouped by depth so a level starts only after deeper ones finished. */
export function stopLevels(graph: Graph, members: ReadonlySet<PluginNode>): PluginNode[][] {
  const depth = depths(graph, members);
  const levels: PluginNode[][] = [];
  for (const node of serveOrder(graph, members).reverse()) {
    const d = depth.get(node) ?? 0;
    const last = levels[levels.length - 1];
    if (last !== undefined && (depth.get(last[0] as PluginNode) ?? 0) === d) last.push(node);
    else levels.push([node]);
  }
  return levels;
}
