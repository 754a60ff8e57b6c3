import { isRrError } from '@rr/errors';
import { PREVIEW_LIMIT } from '../bytes.js';
import { goridgeErrors } from '../errors.js';
import { CODEC_JSON, CONTROL, encodeFrame, type Frame } from '../frame.js';
import type { Relay } from './stream-relay.js';

/**
 * The server side of the PID handshake (PROTOCOL §3.2): sends `CONTROL|JSON {"pid":ourPid}` and expects a
 * frame with the CONTROL bit whose JSON payload holds an integer `pid > 0`. Works over any relay.
 *
 * @returns the PID the worker reported.
 * @throws RR_ERR_GORIDGE_HANDSHAKE_TIMEOUT no reply within `timeoutMs`.
 * @throws RR_ERR_GORIDGE_HANDSHAKE_NO_CONTROL, RR_ERR_GORIDGE_HANDSHAKE_BAD_JSON, RR_ERR_GORIDGE_HANDSHAKE_BAD_PID a bad reply.
 * @throws the relay's own error when it fails first, e.g. RR_ERR_GORIDGE_STRAY_OUTPUT (the worker printed
 * to stdout) or RR_ERR_GORIDGE_FILE_NOT_FOUND, or RR_ERR_GORIDGE_RELAY_CLOSED (the worker went away).
 * The relay is left open on failure; the caller discards it.
 */
export async function handshake(relay: Relay, ourPid: number, timeoutMs: number): Promise<number> {
  const reply = relay.receive(timeoutMs);
  reply.catch(() => undefined);
  await relay.send(encodeFrame({ flags: CONTROL | CODEC_JSON, payload: Buffer.from(`{"pid":${ourPid}}`) }));
  let frame: Frame;
  try {
    frame = await reply;
  } catch (err) {
    if (isRrError(err, goridgeErrors.TIMEOUT.code)) throw goridgeErrors.HANDSHAKE_TIMEOUT(timeoutMs, { details: { timeoutMs } });
    throw err;
  }
  return pidOf(frame);
}

function pidOf(frame: Frame): number {
  const bytes = frame.payload.subarray(0, PREVIEW_LIMIT);
  if ((frame.flags & CONTROL) === 0) throw goridgeErrors.HANDSHAKE_NO_CONTROL(frame.flags, { details: { flags: frame.flags, bytes } });
  let parsed: unknown;
  try {
    parsed = JSON.parse(frame.payload.toString('utf8'));
  } catch {
    parsed = undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw goridgeErrors.HANDSHAKE_BAD_JSON(bytes, { details: { bytes } });
  const pid = (parsed as { pid?: unknown }).pid;
  if (typeof pid !== 'number' || !Number.isSafeInteger(pid) || pid <= 0) {
    throw goridgeErrors.HANDSHAKE_BAD_PID(JSON.stringify(pid) ?? 'no pid', { details: { pid } });
  }
  return pid;
}
