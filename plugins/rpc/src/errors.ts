import { defineErrors } from '@rr/kernel';

/** The rpc plugin's error catalogue: `RR_ERR_RPC_*` (goridge's own RPC codes are `RR_ERR_GORIDGE_RPC_*`). */
export const rpcErrors = defineErrors('RPC', {
  DUPLICATE_NAMESPACE: {
    message: (namespace: string) => `two RPC endpoints claim the namespace "${namespace}"`,
    hint: 'each plugin serves RPC under its own id, and "rpc" belongs to the rpc plugin; rename one of them',
  },
  LISTEN_FAILED: {
    message: (address: string, reason: string) => `cannot listen on rpc.listen ${address}: ${reason}`,
    hint: 'another rr (or another program) may hold the address: stop it, or change rpc.listen',
  },
});

/** Warning codes the rpc plugin logs (never thrown). */
export const rpcWarnings = {
  /** `rpc.listen` binds an address other than loopback: anyone who reaches it controls rr. */
  NOT_LOOPBACK: 'RR_WARN_RPC_NOT_LOOPBACK',
} as const;
