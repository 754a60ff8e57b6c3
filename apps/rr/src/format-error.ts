import { isRrError } from '@rr/errors';

interface Issue {
  path?: unknown;
  code?: unknown;
  message?: unknown;
}

/**
 * Renders any error for a terminal: `error[CODE]: message`, every config issue on its own line with
 * its dotted path, nested causes (aggregates list each failure), then the hint.
 */
export function formatError(err: unknown, indent = ''): string {
  if (!isRrError(err)) {
    const message = err instanceof Error ? err.message : String(err);
    return `${indent}error: ${message}`;
  }
  const lines = [`${indent}error[${err.code}]: ${err.message.split('\n')[0] ?? ''}`];
  const issues = err.details.issues;
  if (Array.isArray(issues)) {
    for (const issue of issues as Issue[]) {
      const path = typeof issue.path === 'string' && issue.path !== '' ? issue.path : '(root)';
      lines.push(`${indent}  - ${path}: ${String(issue.message)} [${String(issue.code)}]`);
    }
  }
  const errors = err.details.errors;
  if (Array.isArray(errors)) {
    for (const inner of errors) lines.push(formatError(inner, `${indent}  `));
  } else if (err.cause !== undefined && !Array.isArray(issues)) {
    lines.push(formatError(err.cause, `${indent}  caused by `).replace(`${indent}  caused by error`, `${indent}  caused by`));
  }
  if (err.hint !== undefined) lines.push(`${indent}  hint: ${err.hint}`);
  return lines.join('\n');
}
