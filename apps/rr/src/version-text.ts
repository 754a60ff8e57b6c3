import { arch, platform } from 'node:os';
import { KERNEL_VERSION } from '@rr/kernel';
import type { Distribution } from './runtime.js';

/** What `rr --version` prints: versions, platform, and every plugin compiled into this build. */
export function versionText(dist: Distribution): string {
  const ids = dist.plugins.map((p) => p.id);
  return [
    `${dist.name} version ${dist.version} (kernel ${KERNEL_VERSION}, node ${process.versions.node}, ${platform()}/${arch()})`,
    `plugins: ${ids.length === 0 ? '(none)' : ids.join(', ')}`,
  ].join('\n');
}
