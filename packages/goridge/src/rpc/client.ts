import type { RrError } from '@rr/errors';
import { goridgeErrors } from '../errors.js';
import { CODEC_JSON, ERROR, encodeFrame, type Frame } from '../frame.js';
import { connectRelay, type ConnectOptions } from '../relay/socket-relay.js';
import type { Relay } from '../relay/stream-relay.js';
import { codecName, type RpcCodec } from './codec.js';

interface Pending {
  method: string;
  codec: RpcCodec;
  resolve: (value: unknown) => void;
  reject: (err: RrError) => void;
}

const WIRE_CODE = /^(RR_(?:ERR|WARN|DEP)_[A-Z0-9_]+): /;

/**
 * A goridge RPC client (what PHP's `RPC` does, but with concurrent calls on one connection, matched by
 * sequence number). Sequence numbers start at 1.
 */
export class RpcClient {
  readonly #relay: Relay;
  readonly #pending = new Map<number, Pending>();
  #seq = 0;
  #closedError: RrError | undefined;

  /** Wraps a connected relay. */
  constructor(relay: Relay) {
    this.#relay = relay;
    relay.on('frame', (frame) => this.#onFrame(frame));
    relay.once('close', (err) => this.#fail(goridgeErrors.RPC_CONNECTION_CLOSED(err?.message ?? 'the connection was closed', { cause: err })));
  }

  /**
   * Connects to an RPC server.
   *
   * @throws RR_ERR_GORIDGE_BAD_DSN, RR_ERR_GORIDGE_CONNECT_FAILED (rejection).
   */
  static async connect(dsn: string, options?: ConnectOptions): Promise<RpcClient> {
    return new RpcClient(await connectRelay(dsn, options));
  }

  /**
   * Calls `"<service>.<Method>"`.
   *
   * @param body under JSON: bytes are sent as they are (already JSON), anything else is `JSON.stringify`-ed
   * (`undefined` → empty body). Under other codecs: bytes or a string (UTF-8); `undefined` → empty body.
   * @returns under JSON the parsed reply (`undefined` for an empty one); under other codecs the reply bytes.
   * @throws RR_ERR_GORIDGE_RPC_REMOTE (rejection) the server answered with an error; `details.text` is its text
   * and `details.remoteCode` the `RR_ERR_…` code it starts with, if any.
   * @throws RR_ERR_GORIDGE_RPC_ENCODE_FAILED, RR_ERR_GORIDGE_RPC_BAD_REPLY, RR_ERR_GORIDGE_RPC_CONNECTION_CLOSED (rejection).
   */
  call<T = unknown>(method: string, body?: unknown, codec: RpcCodec = CODEC_JSON): Promise<T> {
    if (this.#closedError !== undefined) return Promise.reject(this.#closedError);
    let payload: Uint8Array | string;
    try {
      payload = encodeArgument(body, codec, method);
    } catch (err) {
      return Promise.reject(err as RrError);
    }
    this.#seq = this.#seq >= 0xffff_ffff ? 1 : this.#seq + 1;
    const seq = this.#seq;
    const frame = encodeFrame({ flags: codec, options: [seq, Buffer.byteLength(method)], payload: [method, payload] });
    return new Promise<T>((resolve, reject) => {
      this.#pending.set(seq, { method, codec, resolve: resolve as (value: unknown) => void, reject });
      this.#relay.send(frame).catch((err: RrError) => {
        if (this.#pending.delete(seq)) reject(err);
      });
    });
  }

  /** Closes the connection; pending calls reject with RR_ERR_GORIDGE_RPC_CONNECTION_CLOSED. */
  async close(): Promise<void> {
    await this.#relay.close();
  }

  #onFrame(frame: Frame): void {
    if (frame.options.length !== 2) {
      this.#broken(`expected 2 options [seq, len(method)], got ${frame.options.length}`);
      return;
    }
    const [seq, methodLength] = frame.options as [number, number];
    const pending = this.#pending.get(seq);
    if (pending === undefined) {
      this.#broken(`a reply for sequence ${seq}, which no call is waiting for`);
      return;
    }
    if (methodLength > frame.payload.length) {
      this.#broken(`the method name length ${methodLength} exceeds the ${frame.payload.length}-byte payload`);
      return;
    }
    this.#pending.delete(seq);
    const body = frame.payload.subarray(methodLength);
    if ((frame.flags & ERROR) !== 0) {
      const text = body.toString('utf8');
      pending.reject(goridgeErrors.RPC_REMOTE(pending.method, text, { details: { method: pending.method, text, remoteCode: WIRE_CODE.exec(text)?.[1] } }));
      return;
    }
    if (pending.codec !== CODEC_JSON) {
      pending.resolve(body);
      return;
    }
    if (body.length === 0) {
      pending.resolve(undefined);
      return;
    }
    try {
      pending.resolve(JSON.parse(body.toString('utf8')));
    } catch (err) {
      pending.reject(goridgeErrors.RPC_BAD_REPLY(pending.method, (err as Error).message, { cause: err }));
    }
  }

  /** A reply that breaks the protocol ends the connection: nothing after it can be trusted. */
  #broken(reason: string): void {
    const err = goridgeErrors.RPC_BAD_FRAME(reason);
    this.#fail(err);
    void this.#relay.close();
  }

  #fail(err: RrError): void {
    this.#closedError ??= err;
    for (const pending of this.#pending.values()) pending.reject(err);
    this.#pending.clear();
  }
}

function encodeArgument(body: unknown, codec: RpcCodec, method: string): Uint8Array | string {
  if (body instanceof Uint8Array) return body;
  if (body === undefined) return '';
  if (codec === CODEC_JSON) {
    try {
      return JSON.stringify(body) ?? '';
    } catch (err) {
      throw goridgeErrors.RPC_ENCODE_FAILED(`the argument of ${method}`, 'json', (err as Error).message, { cause: err });
    }
  }
  if (typeof body === 'string') return body;
  throw goridgeErrors.RPC_ENCODE_FAILED(`the argument of ${method}`, codecName(codec), 'an argument must be bytes (Uint8Array) or a string');
}
