import { defineErrors } from '@rr/errors';

/** The otel plugin's error catalogue: `RR_ERR_OTEL_*`. */
export const otelErrors = defineErrors('OTEL', {
  EXPORTER_DEPRECATED: {
    message: (exporter: string) => `otel.exporter '${exporter}' is deprecated in RoadRunner and not supported by rr`,
    hint: 'Jaeger (since 1.35) and Zipkin collectors accept OTLP: use exporter: otlp with the collector\'s OTLP endpoint (4318 http, 4317 grpc)',
  },
  EXPORTER_FAILED: {
    message: (what: string, reason: string) => `cannot create the ${what} span exporter: ${reason}`,
    hint: 'check otel.endpoint, otel.custom_url and the OTEL_EXPORTER_OTLP_* environment variables',
  },
});

/** Warning and deprecation codes the otel plugin logs (never thrown). */
export const otelWarnings = {
  /** Top-level `otel.service_name`: RoadRunner deprecated it for `resource.service_name`. */
  SERVICE_NAME: 'RR_DEP_OTEL_001',
  /** Top-level `otel.service_version`: RoadRunner deprecated it for `resource.service_version`. */
  SERVICE_VERSION: 'RR_DEP_OTEL_002',
  /** OTEL_EXPORTER_OTLP_(TRACES_)PROTOCOL holds a value that is not grpc, http/protobuf or http/json. */
  UNKNOWN_PROTOCOL: 'RR_WARN_OTEL_UNKNOWN_PROTOCOL',
  /** `custom_url` is set with the grpc client, which has no URL path. */
  CUSTOM_URL_IGNORED: 'RR_WARN_OTEL_CUSTOM_URL_IGNORED',
  /** An export to the collector failed; those spans are lost. Logged once until an export succeeds. */
  EXPORT_FAILED: 'RR_WARN_OTEL_EXPORT_FAILED',
  /** stop() ran out of time before every span was exported. */
  FLUSH_TIMEOUT: 'RR_WARN_OTEL_FLUSH_TIMEOUT',
} as const;
