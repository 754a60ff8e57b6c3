import { ref } from '@rr/kernel';

/** Structured fields of a log line (snake_case keys, by convention). */
export type LogFields = Record<string, unknown>;

/** A logger bound to a channel (RoadRunner's NamedLogger). Messages are lowercase without a trailing period. */
export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  /** The logger of another channel (`logs.channels.<name>` applies when configured). */
  named(name: string): Logger;
  /** The same channel with fields added to every line. */
  with(fields: LogFields): Logger;
  /** Writes text as it is (worker output in `raw` mode), bypassing formatting but not `off`. */
  raw(text: string): void;
}

/** The root logger; plugins call `.named('<id>')`. Provided by the logs plugin. */
export const loggerRef = ref<Logger>('logs.logger');
