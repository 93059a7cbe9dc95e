/** The browser side's defaults (the server keeps its own: it shares no module with the browser). */

/** Apideck's Vault API: where `unify-base-url` points unless set. */
export const DEFAULT_UNIFY_BASE_URL = 'https://unify.apideck.com';

/** Hosted Vault: where `vault-url` points unless set. */
export const DEFAULT_VAULT_URL = 'https://vault.apideck.com';
