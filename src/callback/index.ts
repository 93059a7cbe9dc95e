/**
 * `vault-connect/callback`: the module the `redirect_uri` page runs. `dist/callback.html` is a ready page that loads it
 * (through `dist/callback-page.js`, so a strict Content-Security-Policy without inline scripts is fine).
 */
export { relayCallback, type RelayCallbackOptions, type RelayMode, type RelayOutcome } from './relay-callback.ts';
export type { CallbackMessage, CallbackParams } from '../internal/popup/callback-message.ts';
