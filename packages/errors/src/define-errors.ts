import { RrError, type RrErrorOptions } from './rr-error.js';

/** One catalogue entry: a message built from arguments, and an optional fixed hint. */
export interface ErrorSpec<A extends unknown[]> {
  message: (...args: A) => string;
  hint?: string;
}

type Factories<S extends Record<string, ErrorSpec<never[]>>> = {
  [K in keyof S]: S[K] extends ErrorSpec<infer A>
    ? ((...args: [...A, (RrErrorOptions | undefined)?]) => RrError) & { readonly code: `RR_ERR_${string}` }
    : never;
};

/** One declared code, as docs/errors.md lists it. */
export interface DeclaredError {
  code: string;
  area: string;
  /** The message with each argument shown as `<1>`, `<2>`… */
  template: string;
  hint: string | undefined;
}

/** Every catalogue created in this process; read by the repo-wide catalogue test and the docs generator. */
const registry = new Map<string, DeclaredError>();

/**
 * Declares a package's error catalogue. Each key becomes `RR_ERR_<AREA>_<KEY>` with a typed factory.
 *
 * @remarks The last factory argument may be an options object (cause, details, plugin, hint override);
 * an options object is recognised by being a plain object passed beyond the message arity.
 * @throws RR_ERR_INTERNAL when two catalogues declare the same code (a bug, caught by tests).
 *
 * @example
 * export const kvErrors = defineErrors('KV', { NO_SUCH_STORAGE: { message: (name: string) => `no such storage: ${name}` } });
 * throw kvErrors.NO_SUCH_STORAGE('users');
 */
export function defineErrors<S extends Record<string, ErrorSpec<never[]>>>(area: string, specs: S): Factories<S> {
  const out: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(specs)) {
    const code = `RR_ERR_${area}_${key}`;
    const owner = registry.get(code);
    if (owner !== undefined && owner.area !== area) {
      throw new RrError('RR_ERR_INTERNAL', `error code ${code} is declared twice; this is a bug`);
    }
    const arity = spec.message.length;
    const placeholders = Array.from({ length: arity }, (_, i) => `<${i + 1}>`);
    registry.set(code, { code, area, template: (spec.message as (...a: unknown[]) => string)(...placeholders), hint: spec.hint });
    const factory = (...args: unknown[]): RrError => {
      const maybeOptions = args.length > arity ? args[arity] : undefined;
      const options: RrErrorOptions = isOptions(maybeOptions) ? maybeOptions : {};
      const message = (spec.message as (...a: unknown[]) => string)(...args.slice(0, arity));
      return new RrError(code, message, { ...options, hint: options.hint ?? spec.hint });
    };
    Object.defineProperty(factory, 'code', { value: code, enumerable: true });
    out[key] = factory;
  }
  return out as Factories<S>;
}

function isOptions(value: unknown): value is RrErrorOptions {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && Object.getPrototypeOf(value) === Object.prototype;
}

/** The codes declared so far in this process (for the catalogue test). */
export function declaredErrorCodes(): string[] {
  return [...registry.keys()].sort();
}

/** Every declared code with its message template and hint, sorted by code. */
export function declaredErrors(): DeclaredError[] {
  return [...registry.values()].sort((a, b) => (a.code < b.code ? -1 : 1));
}
