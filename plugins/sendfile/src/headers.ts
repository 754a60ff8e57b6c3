import type { OutgoingHttpHeader, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { validateHeaderName, validateHeaderValue } from 'node:http';

/**
 * Moves the headers given to `writeHead` into the response's header map, with writeHead's own
 * semantics (a name given there replaces an earlier setHeader; repeated names in the flat array form
 * all stay), so the middleware can read X-Sendfile and rewrite the head before it is sent. Everything
 * is validated first: a bad header throws before the response changes, as writeHead itself does.
 */
export function absorbHeadHeaders(res: ServerResponse, headers: OutgoingHttpHeaders | OutgoingHttpHeader[] | undefined): void {
  if (headers === undefined || headers === null) return;
  const grouped = new Map<string, { name: string; values: (string | number)[] }>();
  const add = (name: string, value: OutgoingHttpHeader | undefined): void => {
    if (value === undefined) return;
    validateHeaderName(name);
    const values = Array.isArray(value) ? value : [value];
    for (const v of values) validateHeaderValue(name, String(v));
    const key = name.toLowerCase();
    const entry = grouped.get(key);
    if (entry === undefined) grouped.set(key, { name, values: [...values] });
    else entry.values.push(...values);
  };
  if (Array.isArray(headers)) {
    if (headers.length % 2 !== 0) throw new TypeError('writeHead: the flat header array must hold name/value pairs');
    for (let i = 0; i < headers.length; i += 2) add(String(headers[i]), headers[i + 1]);
  } else {
    for (const [name, value] of Object.entries(headers)) add(name, value);
  }
  for (const { name, values } of grouped.values()) {
    res.setHeader(name, values.length === 1 ? (values[0] as string | number) : values.map(String));
  }
}
