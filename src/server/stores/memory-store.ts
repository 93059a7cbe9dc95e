/** `memoryStore()`: the VaultRE token store in this process's memory, the demo's default. */
import { type StoredVaultreToken, type VaultreTokenStore, checkValue } from './types.ts';

/**
 * A store in this process's memory (a `Map`), for the demo and tests. Tokens are lost on restart and not shared between
 * processes: behind a load balancer use a shared store such as `apideckImportStore()`.
 */
export function memoryStore(): VaultreTokenStore {
  const tokens = new Map<string, StoredVaultreToken>();
  return {
    get(consumerId) {
      const value = tokens.get(consumerId);
      return Promise.resolve(value ? { ...value } : undefined);
    },
    set(consumerId, value) {
      // A throw in the executor (an invalid value) becomes the rejection.
      return new Promise<void>((resolve) => {
        tokens.set(consumerId, { ...checkValue('memoryStore', value) });
        resolve();
      });
    },
    delete(consumerId) {
      tokens.delete(consumerId);
      return Promise.resolve();
    },
  };
}
