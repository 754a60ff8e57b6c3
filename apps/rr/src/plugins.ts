import type { Plugin } from '@rr/kernel';
import { amqpPlugin } from '@rr/plugin-amqp';
import { appPlugin } from '@rr/plugin-app';
import { boltdbPlugin } from '@rr/plugin-boltdb';
import { httpPlugin } from '@rr/plugin-http';
import { informerPlugin } from '@rr/plugin-informer';
import { jobsPlugin } from '@rr/plugin-jobs';
import { kvPlugin } from '@rr/plugin-kv';
import { logsPlugin } from '@rr/plugin-logs';
import { memcachedPlugin } from '@rr/plugin-memcached';
import { memoryPlugin } from '@rr/plugin-memory';
import { metricsPlugin } from '@rr/plugin-metrics';
import { natsPlugin } from '@rr/plugin-nats';
import { redisPlugin } from '@rr/plugin-redis';
import { resetterPlugin } from '@rr/plugin-resetter';
import { rpcPlugin } from '@rr/plugin-rpc';
import { serverPlugin } from '@rr/plugin-server';
import { statusPlugin } from '@rr/plugin-status';
import { servicePlugin } from '@rr/plugin-service';
import { grpcPlugin } from '@rr/plugin-grpc';
import { staticPlugin } from '@rr/plugin-static';
import { headersPlugin } from '@rr/plugin-headers';
import { gzipPlugin } from '@rr/plugin-gzip';
import { sendfilePlugin } from '@rr/plugin-sendfile';
import { proxyIpParserPlugin } from '@rr/plugin-proxy-ip-parser';
import { otelPlugin } from '@rr/plugin-otel';

/**
 * The bill of materials: every plugin compiled into this rr, in registration order.
 * Registration order only breaks ties; dependencies decide the real order.
 */
export const plugins: readonly Plugin[] = [
  logsPlugin,
  rpcPlugin,
  serverPlugin,
  httpPlugin,
  staticPlugin,
  headersPlugin,
  gzipPlugin,
  sendfilePlugin,
  proxyIpParserPlugin,
  otelPlugin,
  grpcPlugin,
  servicePlugin,
  jobsPlugin,
  kvPlugin,
  memoryPlugin,
  boltdbPlugin,
  redisPlugin,
  memcachedPlugin,
  amqpPlugin,
  natsPlugin,
  informerPlugin,
  metricsPlugin,
  statusPlugin,
  appPlugin,
  resetterPlugin,
];
