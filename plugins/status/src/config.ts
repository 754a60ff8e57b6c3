import { duration, int, parseListenAddress } from '@rr/config';
import { z } from 'zod';

/** RoadRunner's check_timeout default; 0 also means this, as its InitDefaults does. */
export const DEFAULT_CHECK_TIMEOUT_MS = 60_000;

/** The `status` section. Its presence enables the plugin; `address` is required, as in RoadRunner. */
export const statusConfigSchema = z
  .strictObject({
    address: z
      .string()
      .superRefine((text, ctx) => {
        const parsed = parseListenAddress(text);
        if (typeof parsed === 'string') ctx.addIssue({ code: 'custom', message: `invalid status.address: ${parsed}` });
      })
      .describe('Listener of /health and /ready: "host:port" (":2114" = all interfaces, port 0 = any free port); required'),
    unavailable_status_code: int({ min: 100, max: 599 })
      .default(503)
      .describe('HTTP status of an unhealthy or unready answer (default 503)'),
    check_timeout: duration({ bare: 's' })
      .default(DEFAULT_CHECK_TIMEOUT_MS)
      .transform((ms) => (ms === 0 ? DEFAULT_CHECK_TIMEOUT_MS : ms))
      .describe('Deadline of each plugin check (default 60s; a bare number is seconds; 0 = 60s)'),
  })
  .describe('Health and readiness endpoints (/health, /ready) for load balancers and orchestrators');

/** The resolved `status` section. */
export type StatusConfig = z.output<typeof statusConfigSchema>;
/** The `status` section as written in YAML. */
export type StatusConfigInput = z.input<typeof statusConfigSchema>;
