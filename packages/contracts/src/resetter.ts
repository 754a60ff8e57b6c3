import { manyRef } from '@rr/kernel';

/** A plugin whose workers `rr reset` replaces. */
export interface Resettable {
  name: string;
  /** Replaces every worker; rolling, so no request fails. */
  reset(): Promise<void>;
}

export const resettablesRef = manyRef<Resettable>('resetter.resettables');
