/** A titled ASCII table as RoadRunner's CLI prints them: the first row is the header. */
export function renderBox(title: string, rows: readonly (readonly string[])[]): string {
  const header = rows[0] ?? [];
  const widths = header.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: readonly string[]) => `| ${r.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  const sep = `+-${widths.map((w) => '-'.repeat(w)).join('-+-')}-+`;
  return [title, sep, line(header), sep, ...rows.slice(1).map(line), sep].join('\n');
}
