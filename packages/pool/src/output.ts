import type { Readable } from 'node:stream';

/** A line longer than this (no newline yet) is logged in pieces, so a runaway writer cannot grow memory. */
export const MAX_LINE = 64 * 1024;

/**
 * Splits a worker's output stream (stderr; stdout too on socket relays) into lines and hands each one to
 * `onLine`: one log call per line, a partial last line flushed when the stream ends.
 *
 * @remarks UTF-8 is decoded by the stream (`setEncoding`), so a multi-byte character split across two
 * chunks stays whole. Empty lines and trailing `\r` are dropped.
 */
export function readLines(stream: Readable, onLine: (line: string) => void): void {
  let partial = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    let start = 0;
    let nl = chunk.indexOf('\n');
    while (nl >= 0) {
      emit(partial + chunk.slice(start, nl));
      partial = '';
      start = nl + 1;
      nl = chunk.indexOf('\n', start);
    }
    partial += chunk.slice(start);
    if (partial.length >= MAX_LINE) {
      const whole = partial.length - (partial.length % MAX_LINE);
      emit(partial.slice(0, whole));
      partial = partial.slice(whole);
    }
  });
  stream.on('end', () => {
    emit(partial);
    partial = '';
  });
  // An output pipe failing is not the worker failing; the relay and the exit code tell that story.
  stream.on('error', () => undefined);

  function emit(line: string): void {
    const text = line.endsWith('\r') ? line.slice(0, -1) : line;
    for (let at = 0; at < text.length; at += MAX_LINE) onLine(text.slice(at, at + MAX_LINE));
  }
}
