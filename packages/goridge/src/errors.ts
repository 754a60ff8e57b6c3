import { defineErrors } from '@rr/errors';
import { describeBytes } from './bytes.js';

/**
 * Byte views for messages. `defineErrors` also renders each message with placeholder strings (`<1>`, …) for
 * docs/errors.md, so a non-byte argument is shown as it is.
 */
const shown = (bytes: Uint8Array, withHex = true): string => (bytes instanceof Uint8Array ? describeBytes(bytes, withHex) : String(bytes));

const STDOUT_HINT =
  'a PHP worker wrote to stdout (echo, print, var_dump, a warning or notice) while stdout is its relay: ' +
  'write logs to stderr (Worker::create() redirects output there by default); ' +
  'see https://docs.roadrunner.dev/error-codes/stdout-crc';

/**
 * The `@rr/goridge` error catalogue: frame codec, decoder, relays, handshake and RPC.
 *
 * @remarks RPC failures use the `RPC_` key prefix inside the GORIDGE area (`RR_ERR_GORIDGE_RPC_*`) so they
 * can never collide with the codes of the `rpc` plugin (area `RPC`).
 */
export const goridgeErrors = defineErrors('GORIDGE', {
  // ── encoding ────────────────────────────────────────────────────────────────────────────
  TOO_MANY_OPTIONS: {
    message: (count: number) => `a goridge frame carries at most 10 options, got ${count}`,
    hint: 'the header length nibble allows 3 + 10 words; split the data or put it into the payload',
  },
  BAD_FRAME_FIELD: {
    message: (field: string, value: unknown, expected: string) => `frame field ${field} must be ${expected}, got ${String(value)}`,
  },

  // ── decoding ────────────────────────────────────────────────────────────────────────────
  STRAY_OUTPUT: {
    message: (bytes: Uint8Array, position: number) =>
      `header checksum mismatch at stream byte ${position}: the peer sent bytes that are not a goridge frame: ${shown(bytes)}`,
    hint: STDOUT_HINT,
  },
  FILE_NOT_FOUND: {
    message: (bytes: Uint8Array) => `the worker printed ${shown(bytes, false)} instead of a goridge frame`,
    hint: 'PHP could not open the worker script: check server.command (script path, working directory)',
  },
  BAD_HEADER_LENGTH: {
    message: (hl: number, bytes: Uint8Array) =>
      `frame header declares ${hl} header words, the minimum is 3: ${shown(bytes)}`,
    hint: 'the peer does not speak goridge v3 (byte 0 low nibble = 3 + number of options)',
  },
  FRAME_TOO_LARGE: {
    message: (length: number, limit: number) => `frame payload of ${length} bytes exceeds the limit of ${limit} bytes`,
    hint: 'raise maxPayload if such payloads are legitimate, or send smaller payloads',
  },
  TRUNCATED: {
    message: (received: number, bytes: Uint8Array) =>
      `the stream ended inside a frame after ${received} bytes of it: ${shown(bytes)}`,
    hint: 'the peer exited or closed the connection while writing a frame; check its stderr for a crash',
  },
  TRAILING_BYTES: {
    message: (count: number) => `${count} bytes follow the frame`,
    hint: 'decodeFrame() takes exactly one frame; use FrameDecoder for a stream',
  },
  INVALID_OPTION: {
    message: (name: string, value: unknown, expected: string) => `${name} must be ${expected}, got ${String(value)}`,
  },

  // ── relays ──────────────────────────────────────────────────────────────────────────────
  RELAY_CLOSED: {
    message: (what: string) => `the relay is closed: ${what}`,
    hint: 'a relay cannot be reused after close or after an error; create a new one',
  },
  IO: {
    message: (op: string, reason: string) => `${op} failed: ${reason}`,
  },
  TIMEOUT: {
    message: (ms: number) => `no frame arrived within ${ms} ms`,
  },
  BAD_DSN: {
    message: (dsn: string) => `invalid relay address "${dsn}"`,
    hint: 'use tcp://host:port or unix:///path/to/file.sock',
  },
  CONNECT_FAILED: {
    message: (dsn: string, reason: string) => `cannot connect to ${dsn}: ${reason}`,
    hint: 'check that the server listens on that address',
  },
  LISTEN_FAILED: {
    message: (dsn: string, reason: string) => `cannot listen on ${dsn}: ${reason}`,
    hint: 'pick a free port or socket path (a stale unix socket file is removed automatically)',
  },
  LISTENER_CLOSED: {
    message: (dsn: string) => `the relay listener on ${dsn} is closed`,
  },
  WAIT_PID_TIMEOUT: {
    message: (pid: number, ms: number, dsn: string) => `worker ${pid} did not connect to ${dsn} and complete the handshake within ${ms} ms`,
    hint: 'the worker must connect to RR_RELAY and report its own PID (a wrapper shell that forks PHP breaks this); raise pool.allocate_timeout if it is slow to boot',
  },

  // ── handshake (PROTOCOL §3.2) ───────────────────────────────────────────────────────────
  HANDSHAKE_NO_CONTROL: {
    message: (flags: number) => `unexpected handshake response: the CONTROL flag is missing (flags 0x${flags.toString(16).padStart(2, '0')})`,
    hint: 'the worker must answer the PID request with a CONTROL frame; is it a RoadRunner worker?',
  },
  HANDSHAKE_BAD_JSON: {
    message: (bytes: Uint8Array) => `handshake response is not a JSON object: ${shown(bytes)}`,
  },
  HANDSHAKE_BAD_PID: {
    message: (value: string) => `handshake response carries no valid pid (an integer > 0), got ${value}`,
  },
  HANDSHAKE_TIMEOUT: {
    message: (ms: number) => `the worker did not answer the PID handshake within ${ms} ms`,
    hint: 'the worker may be stuck before creating its Worker, or it does not read the relay; raise pool.allocate_timeout if it boots slowly',
  },

  // ── RPC (PROTOCOL §5) ───────────────────────────────────────────────────────────────────
  RPC_UNSUPPORTED_CODEC: {
    message: (codec: string) => `the ${codec} codec is not supported by rr's RPC server`,
    hint: 'use the JSON, protobuf or raw codec',
  },
  RPC_BAD_FRAME: {
    message: (reason: string) => `malformed RPC frame: ${reason}`,
    hint: 'RPC frames carry exactly two options [seq, len(method)] and a payload of method name + body',
  },
  RPC_DUPLICATE_SERVICE: {
    message: (namespace: string) => `an RPC service named "${namespace}" is already registered`,
  },
  RPC_ENCODE_FAILED: {
    message: (what: string, codec: string, reason: string) => `cannot encode ${what} with the ${codec} codec: ${reason}`,
  },
  RPC_REMOTE: {
    message: (method: string, text: string) => `${method}: ${text}`,
  },
  RPC_BAD_REPLY: {
    message: (method: string, reason: string) => `cannot decode the reply of ${method}: ${reason}`,
  },
  RPC_CONNECTION_CLOSED: {
    message: (reason: string) => `the RPC connection is closed: ${reason}`,
  },
});
