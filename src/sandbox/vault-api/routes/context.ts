/** What every route family of the Vault API emulator is built from. */
import type { Authenticate } from '../auth.ts';
import type { Faults } from '../faults.ts';
import type { Sessions } from '../sessions.ts';
import type { ConnectionStore } from '../store.ts';

export interface RouteContext {
  applicationId: string;
  /** Hosted Vault base, for `session_uri`. */
  hostedVaultUrl: string;
  /** Which `redirect_uri`s the consent page accepts. */
  allowRedirectUri: (uri: URL) => boolean;
  now: () => number;
  store: ConnectionStore;
  sessions: Sessions;
  authenticate: Authenticate;
  /** Faults injected into the import endpoint. */
  faults: Faults;
  /** Told of each import the sandbox performed (tests and benchmarks count them). */
  onImport?: (consumerId: string, connectionId: string) => void;
}
