import { validateHeaderName } from 'node:http';

/** Why `name` is not a header name, or undefined when it is one. */
export function checkHeaderName(name: string): string | undefined {
  try {
    validateHeaderName(name);
    return undefined;
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}
