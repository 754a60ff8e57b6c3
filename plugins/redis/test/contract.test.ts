import { describeKvDriver } from '@rr/testkit';
import { open, uniquePrefix } from './helpers.js';

// The shared Redis at 127.0.0.1:6379, each storage under a prefix of its own; the suite clears every
// storage after each test, and clear() with a prefix deletes only that prefix's keys.
describeKvDriver({
  driver: 'redis',
  ttl: 'exact',
  open: async () => (await open({ addrs: ['127.0.0.1:6379'], prefix: uniquePrefix() })).storage,
});

// Redis before 7 has no PEXPIRETIME: the same contract through the PTTL fallback.
describeKvDriver({
  driver: 'redis (PTTL fallback)',
  ttl: 'exact',
  open: async () => (await open({ addrs: ['127.0.0.1:6379'], prefix: uniquePrefix() }, { internals: { pexpiretime: false } })).storage,
});
