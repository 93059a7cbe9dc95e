/**
 * Whether a stored VaultRE token was revoked, as the host's `verifyToken` hook says, bounded in time. Only a definite
 * `'revoked'` counts: a hook that throws, answers anything else or is still busy after the timeout leaves the
 * connection as the store has it, so a VaultRE outage never disconnects anyone.
 */
import type { VaultreHandlerOptions } from './vaultre-options.ts';
import type { VaultreTokenType } from './stores/types.ts';

/** How long `GET` waits for the hook by default, in milliseconds. */
export const DEFAULT_VERIFY_TIMEOUT_MS = 3_000;

export interface VerifyRequest {
  verify: NonNullable<VaultreHandlerOptions['verifyToken']>;
  token: string;
  consumerId: string;
  tokenType: VaultreTokenType;
  timeoutMs: number;
  /** The request's own signal: a browser that went away stops the hook too. */
  signal?: AbortSignal | undefined;
}

export async function isRevoked(request: VerifyRequest): Promise<boolean> {
  const stop = new AbortController();
  const signal = request.signal ? AbortSignal.any([stop.signal, request.signal]) : stop.signal;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const gaveUp = new Promise<'unknown'>((resolve) => {
    timer = setTimeout(() => resolve('unknown'), request.timeoutMs);
  });
  try {
    const asked = Promise.resolve().then(() =>
      request.verify(request.token, { consumerId: request.consumerId, tokenType: request.tokenType, signal }),
    );
    // A hook that rejects after the timeout must not be an unhandled rejection.
    asked.catch(() => undefined);
    return (await Promise.race([asked, gaveUp])) === 'revoked';
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
    // Whatever the hook still does is no longer waited for.
    stop.abort();
  }
}
