import { defineErrors } from '@rr/errors';

/**
 * The redis driver's error catalogue: `RR_ERR_REDIS_*`. `address` is how the connection is named in
 * messages and logs: `127.0.0.1:6379`, `cluster 10.0.0.1:7000,10.0.0.2:7000` or
 * `sentinel master mymaster via 10.0.0.1:26379`.
 */
export const redisErrors = defineErrors('REDIS', {
  UNAVAILABLE: {
    message: (address: string, subject: string, cause: string) => `redis at ${address} is unavailable (${subject}): ${cause}`,
    hint:
      'rr keeps reconnecting in the background (min_retry_backoff … max_retry_backoff apart) and the storage or pipeline works again as soon as ' +
      'Redis answers, without a restart; check that Redis runs and that addrs points to it',
  },
  AUTH_FAILED: {
    message: (address: string, cause: string) => `redis at ${address} refused the credentials: ${cause}`,
    hint: 'check username and password (and sentinel_password when master_name is set) in the redis config',
  },
  DB_REJECTED: {
    message: (address: string, db: number, cause: string) => `redis at ${address} refused to select db ${db}: ${cause}`,
    hint: "db must be below the server's `databases` setting (16 by default)",
  },
  COMMAND_FAILED: {
    message: (address: string, command: string, cause: string) => `redis at ${address} rejected ${command}: ${cause}`,
    hint: 'READONLY: addrs points to a replica (use the master, master_name or the cluster); OOM: Redis reached maxmemory; NOPERM: the ACL user lacks the command',
  },
  TLS_FILE: {
    message: (key: string, file: string, cause: string) => `cannot read redis tls.${key} ${JSON.stringify(file)}: ${cause}`,
    hint: 'tls.root_ca, tls.cert and tls.key are PEM files readable by rr',
  },
  CONSUMER_IN_USE: {
    message: (pipeline: string, other: string, stream: string, group: string, consumer: string) =>
      `jobs pipeline ${JSON.stringify(pipeline)} cannot consume redis stream ${JSON.stringify(stream)} as consumer ${JSON.stringify(consumer)} of group ${JSON.stringify(group)}: pipeline ${JSON.stringify(other)} of this rr already does`,
    hint:
      'two pipelines of one rr that share a stream and group need different `consumer` names (one consumer would redeliver the other\'s jobs); ' +
      'or give them different streams',
  },
  CLOSED: {
    message: (subject: string) => `${subject} (redis) is closed`,
    hint: 'rr is stopping: the kv plugin closed the storage, or the jobs plugin stopped or destroyed the pipeline',
  },
});
