import { validateHeaderName, validateHeaderValue } from 'node:http';

function reason(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Why `name` cannot be sent as a header name, or undefined when it can. */
export function checkHeaderName(name: string): string | undefined {
  try {
    validateHeaderName(name);
    return undefined;
  } catch (err) {
    return reason(err);
  }
}

/** Why `value` cannot be sent as a header value, or undefined when it can. */
export function checkHeaderValue(value: string): string | undefined {
  try {
    validateHeaderValue('x', value);
    return undefined;
  } catch (err) {
    return reason(err);
  }
}

/** Why `pattern` does not compile, or undefined when it does. */
export function checkOriginRegex(pattern: string): string | undefined {
  try {
    new RegExp(pattern);
    return undefined;
  } catch (err) {
    return reason(err);
  }
}
