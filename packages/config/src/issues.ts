import type { RrError } from '@rr/errors';

/** One problem found in a config: where (dotted path), which code, and what to do. */
export interface ConfigIssue {
  /** Dotted path into the config (`http.pool.num_workers`, `include[1]`); `''` for the file as a whole. */
  path: string;
  /** An `RR_ERR_CONFIG_*` code. */
  code: string;
  message: string;
  /** How to fix it, when the catalogue has a fixed hint for the code. */
  hint?: string;
}

/** A path segment as zod or Standard Schema report it. */
type PathSegment = PropertyKey | { readonly key: PropertyKey };

/**
 * The part of a zod issue `issuesFromZod` reads. Typed structurally so that plain Standard Schema issues
 * (no `code`, segments possibly `{ key }`) are accepted as well.
 */
export interface ZodLikeIssue {
  readonly code?: string;
  readonly path?: readonly PathSegment[];
  readonly message: string;
  readonly keys?: readonly string[];
  readonly errors?: readonly (readonly ZodLikeIssue[])[];
  readonly expected?: string;
}

/**
 * Joins a dotted prefix and path segments: keys with `.`, list indices as `[n]`.
 *
 * @example joinPath('http', ['pool', 'num_workers']) === 'http.pool.num_workers'; joinPath('', ['a', 0]) === 'a[0]'
 */
export function joinPath(prefix: string, segments: readonly PathSegment[]): string {
  let out = prefix;
  for (const raw of segments) {
    const seg = typeof raw === 'object' && raw !== null ? raw.key : raw;
    if (typeof seg === 'number') out += `[${seg}]`;
    else {
      const name = typeof seg === 'symbol' ? (seg.description ?? '') : seg;
      out = out === '' ? name : `${out}.${name}`;
    }
  }
  return out;
}

/** `invalid_type` → `INVALID_TYPE`; tolerant of camelCase so a future Standard Schema vendor maps alike. */
function upperSnake(code: string): string {
  return code
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/[^A-Za-z0-9]+/g, '_')
    .toUpperCase();
}

/**
 * Converts zod (or Standard Schema) issues into config issues with dotted paths and `RR_ERR_CONFIG_*` codes.
 *
 * @remarks The code is `RR_ERR_CONFIG_` + the upper-snake-cased zod code (`invalid_type` →
 * `RR_ERR_CONFIG_INVALID_TYPE`); an issue without a code is `RR_ERR_CONFIG_CUSTOM`. `unrecognized_keys`
 * becomes one issue per unknown key whose path ends with that key. The kernel maps Standard Schema issues
 * by the same rule, so a code means the same thing whichever layer reports it.
 *
 * @param input - a `ZodError` (or anything with `issues`), or the issue list itself.
 * @param prefix - dotted path of the validated value inside the config, e.g. the section name `http`.
 *
 * @example
 * const r = httpConfigSchema.safeParse(sections.http);
 * if (!r.success) issues.push(...issuesFromZod(r.error, 'http'));
 */
export function issuesFromZod(input: { readonly issues: readonly ZodLikeIssue[] } | readonly ZodLikeIssue[], prefix = ''): ConfigIssue[] {
  const list: readonly ZodLikeIssue[] = isIssueList(input) ? input : input.issues;
  const out: ConfigIssue[] = [];
  for (const issue of list) {
    const path = joinPath(prefix, issue.path ?? []);
    const code = `RR_ERR_CONFIG_${upperSnake(issue.code ?? 'custom')}`;
    if (issue.code === 'unrecognized_keys' && issue.keys !== undefined && issue.keys.length > 0) {
      for (const key of issue.keys) out.push({ path: joinPath(path, [key]), code, message: `unrecognized key "${key}"` });
      continue;
    }
    out.push({ path, code, message: issue.code === 'invalid_union' ? unionMessage(issue) : issue.message });
  }
  return out;
}

function isIssueList(input: { readonly issues: readonly ZodLikeIssue[] } | readonly ZodLikeIssue[]): input is readonly ZodLikeIssue[] {
  return Array.isArray(input);
}

// zod's union message is a bare "Invalid input"; when every branch failed on the type alone, naming the
// accepted types tells the user what to write. The code stays INVALID_UNION so the mapping is unchanged.
function unionMessage(issue: ZodLikeIssue): string {
  const branches = issue.errors ?? [];
  const expected = branches.map((b) => (b.length === 1 && b[0]?.code === 'invalid_type' && (b[0].path ?? []).length === 0 ? b[0].expected : undefined));
  if (expected.length === 0 || expected.some((e) => e === undefined)) return issue.message;
  return `Invalid input: expected ${[...new Set(expected)].join(' | ')}`;
}

/** Turns a catalogue error into an issue at `path` (its code, message and fixed hint). */
export function issueOf(err: RrError, path: string): ConfigIssue {
  return err.hint === undefined ? { path, code: err.code, message: err.message } : { path, code: err.code, message: err.message, hint: err.hint };
}

/** One line per issue, as the aggregated error message lists them. */
export function formatIssues(issues: readonly ConfigIssue[]): string {
  return issues.map((i) => `  - ${i.path === '' ? '' : `${i.path}: `}${i.message} (${i.code})`).join('\n');
}
