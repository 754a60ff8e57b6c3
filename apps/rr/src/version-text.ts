import { arch, platform } from 'node:os';
import { KERNEL_VERSION, type Plugin } from '@rr/kernel';
import { RR_VERSION } from './version.js';

/** What `rr --version` prints: versions, platform, and every plugin compiled into this build. */
export function versionText(plugins: readonly Plugin[]): string {
  const ids = plugins.map((p) => p.id);
  return [
    `rr version ${RR_VERSION} (kernel ${KERNEL_VERSION}, node ${process.versions.node}, ${platform()}/${arch()})`,
    `plugins: ${ids.length === 0 ? '(none)' : ids.join(', ')}`,
  ].join('\n');
}
