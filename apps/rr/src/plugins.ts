import type { Plugin } from '@rr/kernel';

/**
 * The bill of materials: every plugin compiled into this rr, in registration order.
 * Registration order only breaks ties; dependencies decide the real order.
 */
export const plugins: readonly Plugin[] = [];
