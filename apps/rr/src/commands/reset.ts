import type { RpcClient } from '@rr/goridge';

/** Resets the named plugins (all resettable ones when none is named), concurrently; returns one line per plugin. */
export async function resetPlugins(client: RpcClient, only: readonly string[]): Promise<{ lines: string[]; failed: number }> {
  const names = only.length > 0 ? [...only] : await client.call<string[]>('resetter.List', true);
  const results = await Promise.allSettled(names.map((name) => client.call<boolean>('resetter.Reset', name)));
  let failed = 0;
  const lines = results.map((r, i) => {
    if (r.status === 'fulfilled') return `reset ${names[i]}: done`;
    failed += 1;
    return `reset ${names[i]}: failed: ${(r.reason as Error).message}`;
  });
  return { lines, failed };
}
