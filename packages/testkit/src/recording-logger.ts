import type { LogFields, Logger } from '@rr/contracts';

/** One captured log line. */
export interface LogLine {
  level: 'debug' | 'info' | 'warn' | 'error' | 'raw';
  channel: string;
  message: string;
  fields: LogFields;
}

/** A Logger that keeps every line in memory, shared by all its channels. */
export interface RecordingLogger extends Logger {
  readonly lines: LogLine[];
  /** Lines whose message contains `text` (or matches it), optionally of one level. */
  find(text: string | RegExp, level?: LogLine['level']): LogLine[];
}

/** Builds a {@link RecordingLogger}; `echo` also prints lines to stderr while debugging a test. */
export function recordingLogger(options: { echo?: boolean } = {}): RecordingLogger {
  const lines: LogLine[] = [];
  const make = (channel: string, base: LogFields): RecordingLogger => {
    const write = (level: LogLine['level'], message: string, fields?: LogFields) => {
      const line = { level, channel, message, fields: { ...base, ...fields } };
      lines.push(line);
      if (options.echo) process.stderr.write(`[${level}] ${channel}: ${message} ${JSON.stringify(line.fields)}\n`);
    };
    return {
      lines,
      debug: (m, f) => write('debug', m, f),
      info: (m, f) => write('info', m, f),
      warn: (m, f) => write('warn', m, f),
      error: (m, f) => write('error', m, f),
      raw: (text) => write('raw', text),
      named: (name) => make(name, base),
      with: (fields) => make(channel, { ...base, ...fields }),
      find: (text, level) =>
        lines.filter(
          (l) => (level === undefined || l.level === level) && (typeof text === 'string' ? l.message.includes(text) : text.test(l.message)),
        ),
    };
  };
  return make('root', {});
}
