import type { LogFields } from '@rr/contracts';
import { isRrError } from '@rr/kernel';
import type { LogLevelName } from './config.js';

/** Numeric levels: a line passes when its level is at least the logger's threshold. */
export const LEVEL = { debug: 0, info: 1, warn: 2, error: 3, dpanic: 4, panic: 5, fatal: 6 } as const satisfies Record<LogLevelName, number>;
/** The four levels a line can have. */
export type LineLevel = 0 | 1 | 2 | 3;

/** How a line is written: zap's console encoder, its JSON encoder, or the bare message (`raw` mode). */
export type LineFormat = 'console' | 'json' | 'raw';

/** Turns one log call into the text written, line ending included. */
export type LineEncoder = (level: LineLevel, message: string, fields: LogFields | undefined, nowMs: number, color: boolean) => string;

const CONSOLE_LEVEL = ['DEBUG', 'INFO', 'WARN', 'ERROR'] as const;
const JSON_LEVEL = ['"debug"', '"info"', '"warn"', '"error"'] as const;
// RoadRunner's ColoredLevelEncoder / ColoredNameEncoder (fatih/color "Hi" colours): white, cyan, yellow, red; names green.
const LEVEL_COLOR = ['\x1b[97m', '\x1b[96m', '\x1b[93m', '\x1b[91m'] as const;
const NAME_COLOR = '\x1b[92m';
const RESET = '\x1b[0m';

/** Builds the encoder of one channel; the channel's name is encoded once, not per line. */
export function lineEncoder(format: LineFormat, channel: string, lineEnding: string): LineEncoder {
  if (format === 'raw') return (_level, message) => message + lineEnding;
  if (format === 'json') {
    const logger = `,"logger":${JSON.stringify(channel)},"msg":`;
    return (level, message, fields, nowMs) => {
      const head = `{"level":${JSON_LEVEL[level]},"ts":${nowMs / 1000}${logger}${JSON.stringify(message)}`;
      const rest = fields === undefined ? '' : fieldsJson(fields);
      // zap appends fields after msg in call order, duplicates included; splicing the object keeps that.
      return (rest.length > 2 ? `${head},${rest.slice(1)}` : `${head}}`) + lineEnding;
    };
  }
  // ColoredNameEncoder pads names to 12 columns whether or not colour is on.
  const name = channel.length < 12 ? channel.padEnd(12) : channel;
  const colorName = NAME_COLOR + name + RESET;
  return (level, message, fields, nowMs, color) => {
    const lvl = color ? LEVEL_COLOR[level] + CONSOLE_LEVEL[level] + RESET : CONSOLE_LEVEL[level];
    const rest = fields === undefined ? '' : fieldsJson(fields);
    const tail = rest.length > 2 ? `\t${rest}` : '';
    return `${iso8601(nowMs)}\t${lvl}\t${color ? colorName : name}\t${message}${tail}${lineEnding}`;
  };
}

const pad2 = (n: number): string => (n < 10 ? `0${n}` : String(n));

/** zap's ISO8601TimeEncoder: local time with milliseconds and the zone as Go's `Z0700` (`Z` or `+0200`). */
export function iso8601(ms: number): string {
  const d = new Date(ms);
  const offset = -d.getTimezoneOffset();
  const abs = Math.abs(offset);
  const zone = offset === 0 ? 'Z' : `${offset > 0 ? '+' : '-'}${pad2(Math.floor(abs / 60))}${pad2(abs % 60)}`;
  const millis = String(d.getMilliseconds()).padStart(3, '0');
  return (
    `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())}` +
    `T${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}.${millis}${zone}`
  );
}

function replace(this: unknown, key: string, value: unknown): unknown {
  // `this[key]` is the value before toJSON ran, so an RrError becomes its wire text, not its JSON form.
  const raw = (this as Record<string, unknown>)[key];
  if (raw instanceof Error) return isRrError(raw) ? raw.toWire() : raw.message;
  if (typeof value === 'bigint') return value.toString();
  return value;
}

/** Fields as a JSON object; errors as their text (zap's `zap.Error`), bigints as strings, cycles cut. */
export function fieldsJson(fields: LogFields): string {
  try {
    return JSON.stringify(fields, replace);
  } catch {
    // Only a cycle (or a throwing toJSON) gets here: retry marking repeated objects.
    const seen = new WeakSet<object>();
    try {
      return JSON.stringify(fields, function (this: unknown, key: string, value: unknown) {
        const out = replace.call(this, key, value);
        if (typeof out === 'object' && out !== null) {
          if (seen.has(out)) return '[Circular]';
          seen.add(out);
        }
        return out;
      });
    } catch (err) {
      return JSON.stringify({ fields_error: `cannot encode the fields: ${(err as Error).message}` });
    }
  }
}
