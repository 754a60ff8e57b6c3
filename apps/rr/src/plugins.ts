import type { Plugin } from '@rr/kernel';
import { appPlugin } from '@rr/plugin-app';
import { httpPlugin } from '@rr/plugin-http';
import { informerPlugin } from '@rr/plugin-informer';
import { logsPlugin } from '@rr/plugin-logs';
import { metricsPlugin } from '@rr/plugin-metrics';
import { resetterPlugin } from '@rr/plugin-resetter';
import { createRpcPlugin } from '@rr/plugin-rpc';
import { serverPlugin } from '@rr/plugin-server';
import { statusPlugin } from '@rr/plugin-status';
import { RR_VERSION } from './version.js';

/**
 * The bill of materials: every plugin compiled into this rr, in registration order.
 * Registration order only breaks ties; dependencies decide the real order.
 */
export const plugins: readonly Plugin[] = [
  logsPlugin,
  createRpcPlugin({ version: RR_VERSION }),
  serverPlugin,
  httpPlugin,
  informerPlugin,
  metricsPlugin,
  statusPlugin,
  appPlugin,
  resetterPlugin,
];
