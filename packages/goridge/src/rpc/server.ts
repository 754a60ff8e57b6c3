import { EventEmitter } from 'node:events';
import { isRrError, type RrError } from '@rr/errors';
import { goridgeErrors } from '../errors.js';
import { CODEC_GOB, CODEC_JSON, CODEC_MSGPACK, ERROR, encodeFrame, type Frame } from '../frame.js';
import { listenOn, stopListening, type Listening } from '../relay/listen.js';
import { SocketRelay } from '../relay/socket-relay.js';
import { validateRelayOptions, type Relay } from '../relay/stream-relay.js';
import { codecName, rpcCodecOf, type RpcCodec } from './codec.js';

/** One RPC call as a handler sees it. */
export interface RpcRequest {
  /** `"<service>.<Method>"` as sent. */
  readonly method: string;
  /** The request codec: CODEC_JSON, CODEC_PROTO or CODEC_RAW (MSGPACK and GOB are answered with an error). */
  readonly codec: RpcCodec;
  /** The encoded argument, possibly empty. Decoding it is the handler's job. */
  readonly body: Buffer;
  /** The request's sequence number (echoed in the reply). */
  readonly seq: number;
}

/**
 * Handles one method. Returns (or resolves to) the reply: bytes are sent as they are under every codec (they
 * must already be encoded); under JSON any other value goes through `JSON.stringify` (`undefined` → `null`);
 * under RAW and PROTO a string is sent as UTF-8 and `undefined`/`null` as an empty body. Throwing replies
 * with an error: an RrError as `"<code>: <message>"`, anything else as `"RR_ERR_INTERNAL: <message>"`.
 */
export type RpcHandler = (request: RpcRequest) => unknown;

/** A service: `namespace.Method` for each key of `methods` (PascalCase wire names). */
export interface RpcService {
  readonly namespace: string;
  readonly methods: Readonly<Record<string, RpcHandler>>;
}

/** Options of {@link RpcServer}. */
export interface RpcServerOptions {
  /** Largest accepted request payload. @default 1 GiB */
  maxPayload?: number;
}

/** Events of an {@link RpcServer}. */
export interface RpcServerEvents {
  /** A connection failed (malformed frame, stray bytes, I/O) and was closed; the others carry on. Only emitted when someone listens. */
  error: [error: RrError];
}

const IGNORE = (): void => undefined;

/**
 * Go `net/rpc` semantics over goridge (PROTOCOL §5): per connection, requests are read in order, run
 * concurrently and answered by sequence number, with the request's codec and method name echoed.
 *
 * @throws RR_ERR_GORIDGE_INVALID_OPTION (constructor) bad `maxPayload`.
 */
export class RpcServer extends EventEmitter<RpcServerEvents> {
  readonly #services = new Map<string, Map<string, RpcHandler>>();
  readonly #relays = new Set<Relay>();
  readonly #maxPayload: number | undefined;
  #listening: Listening | undefined;

  constructor(options: RpcServerOptions = {}) {
    super();
    validateRelayOptions(options);
    this.#maxPayload = options.maxPayload;
  }

  /**
   * Adds a service.
   *
   * @throws RR_ERR_GORIDGE_RPC_DUPLICATE_SERVICE the namespace is taken.
   */
  register(service: RpcService): this {
    if (this.#services.has(service.namespace)) throw goridgeErrors.RPC_DUPLICATE_SERVICE(service.namespace);
    // A Map of own properties only: "constructor" or "toString" must never resolve to Object's.
    this.#services.set(service.namespace, new Map(Object.entries(service.methods)));
    return this;
  }

  /**
   * Listens on `tcp://host:port` or `unix:///path` (a stale socket file is removed; `close()` removes it).
   *
   * @returns the address listened on (port 0 resolved).
   * @throws RR_ERR_GORIDGE_BAD_DSN, RR_ERR_GORIDGE_LISTEN_FAILED (rejection).
   */
  async listen(dsn: string): Promise<string> {
    if (this.#listening !== undefined) throw goridgeErrors.LISTEN_FAILED(dsn, `the server already listens on ${this.#listening.address}`);
    const listening = await listenOn(dsn, this.#emitError);
    listening.server.on('connection', (socket) => this.serve(new SocketRelay(socket, { maxPayload: this.#maxPayload })));
    this.#listening = listening;
    return listening.address;
  }

  /** The address listened on, if listening. */
  get address(): string | undefined {
    return this.#listening?.address;
  }

  /** Serves RPC on an already connected relay (used for every accepted connection; usable with any relay). */
  serve(relay: Relay): void {
    this.#relays.add(relay);
    relay.on('frame', (frame) => this.#onFrame(relay, frame));
    relay.on('error', (err) => this.#emitError(err));
    relay.once('close', () => this.#relays.delete(relay));
  }

  /** Stops listening and closes every connection; replies still being computed are dropped. */
  async close(): Promise<void> {
    if (this.#listening !== undefined) stopListening(this.#listening);
    this.#listening = undefined;
    await Promise.all([...this.#relays].map((relay) => relay.close()));
  }

  #onFrame(relay: Relay, frame: Frame): void {
    if (frame.options.length !== 2) {
      this.#badFrame(relay, `expected 2 options [seq, len(method)], got ${frame.options.length}`);
      return;
    }
    const [seq, methodLength] = frame.options as [number, number];
    if (methodLength > frame.payload.length) {
      this.#badFrame(relay, `the method name length ${methodLength} exceeds the ${frame.payload.length}-byte payload`);
      return;
    }
    const methodBytes = frame.payload.subarray(0, methodLength);
    const request: RpcRequest = {
      method: methodBytes.toString('utf8'),
      codec: rpcCodecOf(frame.flags),
      body: frame.payload.subarray(methodLength),
      seq,
    };
    void this.#dispatch(request).then((reply) => {
      relay.send(encodeFrame({ flags: reply.flags, options: [seq, methodLength], payload: [methodBytes, reply.body] })).catch(IGNORE);
    });
  }

  async #dispatch(request: RpcRequest): Promise<{ flags: number; body: Uint8Array | string }> {
    const { method, codec } = request;
    const failed = (text: string) => ({ flags: codec | ERROR, body: text });
    const dot = method.lastIndexOf('.');
    if (dot < 0) return failed(`rpc: service/method request ill-formed: ${method}`);
    const service = this.#services.get(method.slice(0, dot));
    if (service === undefined) return failed(`rpc: can't find service ${method}`);
    const handler = service.get(method.slice(dot + 1));
    if (handler === undefined) return failed(`rpc: can't find method ${method}`);
    if (codec === CODEC_MSGPACK || codec === CODEC_GOB) return failed(goridgeErrors.RPC_UNSUPPORTED_CODEC(codecName(codec)).toWire());
    let result: unknown;
    try {
      result = await handler(request);
    } catch (err) {
      return failed(wireText(err));
    }
    try {
      return { flags: codec, body: encodeResult(result, codec, method) };
    } catch (err) {
      return failed((err as RrError).toWire());
    }
  }

  #badFrame(relay: Relay, reason: string): void {
    this.#emitError(goridgeErrors.RPC_BAD_FRAME(reason));
    void relay.close();
  }

  readonly #emitError = (err: RrError): void => {
    if (this.listenerCount('error') > 0) this.emit('error', err);
  };
}

function encodeResult(result: unknown, codec: RpcCodec, method: string): Uint8Array | string {
  if (result instanceof Uint8Array) return result;
  if (codec === CODEC_JSON) {
    try {
      return JSON.stringify(result) ?? 'null';
    } catch (err) {
      throw goridgeErrors.RPC_ENCODE_FAILED(`the reply of ${method}`, 'json', (err as Error).message, { cause: err });
    }
  }
  if (typeof result === 'string') return result;
  if (result === undefined || result === null) return '';
  throw goridgeErrors.RPC_ENCODE_FAILED(`the reply of ${method}`, codecName(codec), 'a reply must be bytes (Uint8Array) or a string');
}

/** How a thrown value travels: `"<code>: <message>"`, foreign errors as RR_ERR_INTERNAL. */
function wireText(err: unknown): string {
  if (isRrError(err)) return err.toWire();
  return `RR_ERR_INTERNAL: ${err instanceof Error ? err.message : String(err)}`;
}
