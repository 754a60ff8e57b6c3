import { manyRef } from '@rr/kernel';

/** One plugin's answer to /health or /ready: an HTTP status code and a message. */
export interface StatusReport {
  code: number;
  message: string;
}

/** A plugin that can say whether it is alive (`health`) and whether it can take work now (`ready`). */
export interface StatusSource {
  name: string;
  health(): StatusReport | Promise<StatusReport>;
  ready(): StatusReport | Promise<StatusReport>;
}

export const statusSourcesRef = manyRef<StatusSource>('status.sources');
