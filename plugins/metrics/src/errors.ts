import { defineErrors } from '@rr/kernel';

/**
 * The metrics plugin's error catalogue: `RR_ERR_METRICS_*`. RoadRunner's texts (`undefined collector`,
 * `required labels for collector`, `tried to register existing collector`) stay inside the messages:
 * the PHP Metrics client matches on them.
 */
export const metricsErrors = defineErrors('METRICS', {
  UNDEFINED_COLLECTOR: {
    message: (name: string) => `undefined collector ${name}`,
    hint: 'declare the collector first (metrics.collect in .rr.yaml, or metrics.Declare)',
  },
  REQUIRED_LABELS: {
    message: (name: string) => `required labels for collector ${name}`,
    hint: 'the collector was declared with labels: pass one value for each',
  },
  LABEL_CARDINALITY: {
    message: (name: string, expected: number, got: number) => `inconsistent label cardinality: expected ${expected} label values but got ${got} in collector ${name}`,
    hint: 'pass label values in the order the labels were declared',
  },
  UNSUPPORTED_OPERATION: {
    message: (name: string, type: string, method: string) => `collector ${name} (${type}) does not support method ${method}`,
    hint: 'Add: counter, gauge; Sub and Set: gauge; Observe: histogram, summary',
  },
  COUNTER_DECREASE: {
    message: (name: string, value: number) => `counter cannot decrease in value: collector ${name}, value ${value}`,
    hint: 'counters only go up: use a gauge for values that go down',
  },
  ALREADY_REGISTERED: {
    message: (name: string, fqName: string) => `tried to register existing collector with the name: ${name} (${fqName})`,
    hint: 'another collector already has this full name (namespace_subsystem_name)',
  },
  INVALID_COLLECTOR: {
    message: (name: string, problem: string) => `invalid collector ${name}: ${problem}`,
    hint: 'type is counter, gauge, histogram or summary; names and labels are [a-zA-Z_:][a-zA-Z0-9_:]*',
  },
  BAD_ARGUMENT: {
    message: (method: string, problem: string) => `${method}: ${problem}`,
    hint: 'metrics methods take JSON: {"name","value","labels"}, {"name","collector"} or a name string',
  },
  UNSUPPORTED_CODEC: {
    message: (method: string, codec: string) => `${method} takes the JSON codec, got ${codec}`,
    hint: 'call metrics methods with the JSON codec, as the PHP Metrics client does',
  },
  LISTEN_FAILED: {
    message: (address: string, reason: string) => `cannot listen on metrics.address ${address}: ${reason}`,
    hint: 'another program may hold the address: stop it, or change metrics.address',
  },
});
