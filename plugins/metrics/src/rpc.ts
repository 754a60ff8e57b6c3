import type { RpcCall, RpcEndpoint } from '@rr/contracts';
import { metricsErrors } from './errors.js';
import type { CollectorSpec, MetricsOperation, MetricsRegistry } from './registry.js';

const CODEC_JSON = 0x08;
const CODEC_NAMES: Record<number, string> = { 0x04: 'raw', 0x80: 'protobuf', 0x10: 'msgpack', 0x20: 'gob' };
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary']);

/**
 * The `metrics` service (JSON codec, as PHP's Metrics client uses it). Keys are matched
 * case-insensitively, as Go's encoding/json does:
 * - `Add`/`Sub`/`Observe`/`Set` `{"name","value","labels":[…]}` → true;
 * - `Declare` `{"name","collector":{namespace,subsystem,type,help,labels,buckets,objectives}}` → true,
 *   also when the name already exists;
 * - `Unregister` (name) → whether a collector was removed.
 */
export function createMetricsRpc(metrics: MetricsRegistry): RpcEndpoint {
  const operation = (op: MetricsOperation) => (call: RpcCall) => {
    const arg = objectArg(call);
    const name = stringField(call, arg, 'name');
    const value = numberField(call, arg, 'value');
    metrics.update(op, name, value, labelsField(call, arg, 'labels'));
    return true;
  };
  return {
    namespace: 'metrics',
    methods: {
      Add: operation('Add'),
      Sub: operation('Sub'),
      Observe: operation('Observe'),
      Set: operation('Set'),
      Declare: (call) => {
        const arg = objectArg(call);
        const name = stringField(call, arg, 'name');
        const raw = field(arg, 'collector');
        if (raw === undefined || raw === null) throw metricsErrors.BAD_ARGUMENT(call.method, 'collector is required');
        if (typeof raw !== 'object' || Array.isArray(raw)) throw metricsErrors.BAD_ARGUMENT(call.method, 'collector must be an object');
        metrics.declare(name, collectorSpec(call, name, raw as Record<string, unknown>));
        return true;
      },
      Unregister: (call) => {
        requireJson(call);
        const value = parse(call);
        if (typeof value !== 'string') throw metricsErrors.BAD_ARGUMENT(call.method, `expected a collector name (a JSON string), got ${typeName(value)}`);
        return metrics.unregister(value);
      },
    },
  };
}

function collectorSpec(call: RpcCall, name: string, raw: Record<string, unknown>): CollectorSpec {
  const type = optionalString(call, raw, 'type');
  if (!TYPES.has(type)) throw metricsErrors.INVALID_COLLECTOR(name, `unknown collector type ${JSON.stringify(type)}`);
  const buckets = field(raw, 'buckets') ?? [];
  if (!Array.isArray(buckets) || !buckets.every((b) => typeof b === 'number')) throw metricsErrors.BAD_ARGUMENT(call.method, 'collector.buckets must be a list of numbers');
  const objectives = field(raw, 'objectives') ?? {};
  if (typeof objectives !== 'object' || Array.isArray(objectives) || !Object.entries(objectives).every(([q, e]) => isQuantile(q) && typeof e === 'number')) {
    throw metricsErrors.BAD_ARGUMENT(call.method, 'collector.objectives must map quantiles (0…1) to errors');
  }
  return {
    type: type as CollectorSpec['type'],
    help: optionalString(call, raw, 'help'),
    namespace: optionalString(call, raw, 'namespace'),
    subsystem: optionalString(call, raw, 'subsystem'),
    labels: labelsField(call, raw, 'labels'),
    buckets: buckets as number[],
    objectives: objectives as Record<string, number>,
  };
}

function isQuantile(key: string): boolean {
  const q = Number(key);
  return key.trim() !== '' && q >= 0 && q <= 1;
}

function requireJson(call: RpcCall): void {
  if (call.codec !== CODEC_JSON) throw metricsErrors.UNSUPPORTED_CODEC(call.method, CODEC_NAMES[call.codec] ?? `0x${call.codec.toString(16)}`);
}

function parse(call: RpcCall): unknown {
  if (call.body.length === 0) return undefined;
  try {
    return JSON.parse(call.body.toString('utf8'));
  } catch {
    throw metricsErrors.BAD_ARGUMENT(call.method, 'the argument is not valid JSON');
  }
}

function objectArg(call: RpcCall): Record<string, unknown> {
  requireJson(call);
  const value = parse(call);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw metricsErrors.BAD_ARGUMENT(call.method, `expected a JSON object, got ${typeName(value)}`);
  return value as Record<string, unknown>;
}

/** Go's encoding/json: an exact key wins, else the first key equal ignoring case. */
function field(obj: Record<string, unknown>, key: string): unknown {
  if (Object.hasOwn(obj, key)) return obj[key];
  const found = Object.keys(obj).find((k) => k.toLowerCase() === key);
  return found === undefined ? undefined : obj[found];
}

function stringField(call: RpcCall, obj: Record<string, unknown>, key: string): string {
  const value = field(obj, key);
  if (typeof value !== 'string' || value === '') throw metricsErrors.BAD_ARGUMENT(call.method, `${key} must be a non-empty string, got ${typeName(value)}`);
  return value;
}

function optionalString(call: RpcCall, obj: Record<string, unknown>, key: string): string {
  const value = field(obj, key) ?? '';
  if (typeof value !== 'string') throw metricsErrors.BAD_ARGUMENT(call.method, `${key} must be a string, got ${typeName(value)}`);
  return value;
}

function numberField(call: RpcCall, obj: Record<string, unknown>, key: string): number {
  // A missing value is Go's zero value.
  const value = field(obj, key) ?? 0;
  if (typeof value !== 'number') throw metricsErrors.BAD_ARGUMENT(call.method, `${key} must be a number, got ${typeName(value)}`);
  return value;
}

function labelsField(call: RpcCall, obj: Record<string, unknown>, key: string): string[] {
  const value = field(obj, key) ?? [];
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) throw metricsErrors.BAD_ARGUMENT(call.method, `${key} must be a list of strings`);
  return value as string[];
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}
