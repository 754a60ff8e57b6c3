/** Fields that travel with every coded error. */
export interface RrErrorOptions {
  /** What to do about it; printed under the message. */
  hint?: string | undefined;
  /** The plugin the failure belongs to, when there is one. */
  plugin?: string | undefined;
  /** Machine-readable extras (paths, sizes, offending bytes). */
  details?: Record<string, unknown> | undefined;
  cause?: unknown;
}

/**
 * The one error class of rr. Callers and tests branch on `code`, never on message text.
 *
 * @example
 * throw new RrError('RR_ERR_GORIDGE_BAD_CRC', 'header checksum mismatch', { hint: 'the worker wrote to stdout' });
 */
// A plugin installed next to a global rr may bring its own copy of this package; the brand (a registered
// symbol, the same in every copy) keeps its errors RrErrors, so their codes still reach PHP and the logs.
const BRAND = Symbol.for('rr.errors.RrError');

export class RrError extends Error {
  /** `instanceof RrError` holds for an RrError of any copy of @rr/errors. */
  static override [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === 'object' && value !== null && (value as { [BRAND]?: unknown })[BRAND] === true;
  }

  readonly code: string;
  readonly hint: string | undefined;
  readonly plugin: string | undefined;
  readonly details: Record<string, unknown>;

  constructor(code: string, message: string, options: RrErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'RrError';
    this.code = code;
    this.hint = options.hint;
    this.plugin = options.plugin;
    this.details = options.details ?? {};
    Object.defineProperty(this, BRAND, { value: true });
  }

  /** `"<code>: <message>"`: the form errors take on the RPC wire so PHP can branch on the code. */
  toWire(): string {
    return `${this.code}: ${this.message}`;
  }

  toJSON(): Record<string, unknown> {
    const cause = this.cause;
    return {
      code: this.code,
      message: this.message,
      ...(this.hint === undefined ? {} : { hint: this.hint }),
      ...(this.plugin === undefined ? {} : { plugin: this.plugin }),
      ...(Object.keys(this.details).length === 0 ? {} : { details: this.details }),
      ...(cause === undefined
        ? {}
        : { cause: cause instanceof RrError ? cause.toJSON() : cause instanceof Error ? { message: cause.message } : cause }),
    };
  }
}

/** Narrows `err` to an RrError, optionally with a given code. */
export function isRrError(err: unknown, code?: string): err is RrError {
  return err instanceof RrError && (code === undefined || err.code === code);
}
