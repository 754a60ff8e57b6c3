import type { Logger, RpcCall, RpcEndpoint, RpcHandler } from '@rr/contracts';
import { isRrError } from '@rr/kernel';
import { jobsErrors } from './errors.js';
import type { JobsCore } from './jobs.js';
import { decodeDeclare, decodePipelines, decodePush, decodePushBatch, EMPTY, encodePipelines, encodeStats } from './proto.js';

const CODEC_PROTO = 0x80;
const CODEC_NAMES: Record<number, string> = { 0x04: 'raw', 0x08: 'JSON', 0x10: 'msgpack', 0x20: 'gob' };

interface Operation {
  decode: (body: Buffer) => unknown;
  run: (request: unknown) => Promise<Buffer>;
}
const op = <T>(decode: (body: Buffer) => T, run: (request: T) => Promise<Buffer>): Operation => ({ decode, run: run as (request: unknown) => Promise<Buffer> });
const none = (): undefined => undefined;

/**
 * The `jobs` service (RoadRunner's jobs RPC, PROTOCOL §5.5), protobuf `jobs.v1` messages in and out:
 * Push, PushBatch, Pause, Resume, List, Declare, Destroy, Stat. RrErrors reach PHP as `<code>: <message>`
 * with RoadRunner's texts; anything else is logged and becomes RR_ERR_INTERNAL at the rpc plugin.
 */
export function createJobsRpc(core: JobsCore, log: Logger): RpcEndpoint {
  const operations: Record<string, Operation> = {
    Push: op(decodePush, async (job) => {
      await core.push([job]);
      return EMPTY;
    }),
    PushBatch: op(decodePushBatch, async (jobs) => {
      await core.push(jobs);
      return EMPTY;
    }),
    Pause: op(decodePipelines, async (names) => {
      for (const name of names) await core.pause(name);
      return EMPTY;
    }),
    Resume: op(decodePipelines, async (names) => {
      for (const name of names) await core.resume(name);
      return EMPTY;
    }),
    List: op(none, () => Promise.resolve(encodePipelines(core.list()))),
    Declare: op(decodeDeclare, async (map) => {
      await core.declare(map);
      return EMPTY;
    }),
    // RoadRunner answers the names actually destroyed; on an error the reply is lost anyway.
    Destroy: op(decodePipelines, async (names) => {
      for (const name of names) await core.destroy(name);
      return encodePipelines(names);
    }),
    Stat: op(none, async () => encodeStats(await core.stat())),
  };

  const methods: Record<string, RpcHandler> = {};
  for (const [name, operation] of Object.entries(operations)) {
    methods[name] = async (call: RpcCall) => {
      // List and Stat take Empty: PHP sends no argument bytes, so any codec will do.
      if (call.body.length > 0 && call.codec !== CODEC_PROTO) {
        throw jobsErrors.UNSUPPORTED_CODEC(call.method, CODEC_NAMES[call.codec] ?? `0x${call.codec.toString(16)}`);
      }
      let request: unknown;
      try {
        request = operation.decode(call.body);
      } catch (err) {
        throw jobsErrors.BAD_REQUEST(call.method, err instanceof Error ? err.message : String(err), { cause: err });
      }
      try {
        return await operation.run(request);
      } catch (err) {
        if (!isRrError(err)) log.error('jobs rpc failed', { method: call.method, error: err instanceof Error ? err.message : String(err) });
        throw err;
      }
    };
  }
  return { namespace: 'jobs', methods };
}
