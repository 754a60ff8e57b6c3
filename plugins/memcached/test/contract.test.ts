import { describeKvDriver } from '@rr/testkit';
import { open } from './helpers.js';
import { killAll, privateMemcached } from './servers.js';

// Clear is flush_all, server-wide: each storage the suite opens gets a memcached of its own, so the
// suite's "keeps two storages apart" holds.
describeKvDriver({
  driver: 'memcached',
  ttl: 'unsupported',
  // memcached expires on its own one-second clock tick: up to about a second after the deadline.
  expiryLagMs: 2000,
  async open() {
    const server = await privateMemcached();
    await server.start();
    return (await open({ addr: server.address })).storage;
  },
  teardown: killAll,
});
