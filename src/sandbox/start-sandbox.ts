/**
 * Starts the sandbox emulators, each on its own `http://127.0.0.1:<port>` origin so that CORS, cross-origin frames and
 * cross-origin popups behave as in production: the Apideck Vault API (with its `authorize_url` consent page), the Vault
 * JS modal page, Hosted Vault and VaultRE's OAuth pages. Another emulator is added by starting one more
 * `startEmulatorServer()` and handing its handler what it needs from the others.
 *
 * The COOP switch (`coop` option, `setCoop()`): while on, every page of every emulator is served with
 * `Cross-Origin-Opener-Policy: same-origin`, so a popup loses its `window.opener` and `popup.closed` reads true early,
 * as with identity providers that set COOP.
 */
import { createHostedVault } from './hosted-vault.ts';
import { withCoop } from './coop.ts';
import { type EmulatorServer, isLocalOrigin, startEmulatorServer } from './emulator-server.ts';
import { type ImportFaults, type VaultApi, createVaultApi } from './vault-api.ts';
import { createVaultModalPage } from './vault-modal-page.ts';
import { VAULTRE_API_PATH, VAULTRE_BASE_PATH, VAULTRE_SANDBOX_API_KEY, type VaultreEmulator, createVaultreEmulator } from './vaultre.ts';

export interface SandboxOptions {
  /** Port of the Vault API emulator. Default 0 (a free port). */
  vaultApiPort?: number;
  /** Port of the Vault JS modal page. Default 0 (a free port). */
  vaultJsPort?: number;
  /** Which browser origins the Vault API answers with CORS headers. Default: `http://localhost:*` and `http://127.0.0.1:*`. */
  allowOrigin?: (origin: string) => boolean;
  /** Synthetic connectors appended to the seed (benchmarks). */
  extra?: number;
  /** Default `sandbox-api-key`. */
  apiKey?: string;
  /** Default `sandbox-app`. */
  applicationId?: string;
  /** Port of the Hosted Vault emulator. Default 0 (a free port). */
  hostedVaultPort?: number;
  /** Port of the VaultRE emulator. Default 0 (a free port). */
  vaultrePort?: number;
  /** The VaultRE client ID the emulator knows. Default `sandbox-vaultre-client`. */
  vaultreClientId?: string;
  /** The integrator API key of the emulated VaultRE API. Default `sandbox-vaultre-api-key`. */
  vaultreApiKey?: string;
  /**
   * The redirect URIs registered for that client, matched exactly (query included) as VaultRE does. Default none; add
   * one at runtime with `registerVaultreRedirectUri()` when its port is known only after start.
   */
  vaultreRedirectUris?: string[];
  /** Serve every sandbox page with `Cross-Origin-Opener-Policy: same-origin`. Default false; see `setCoop()`. */
  coop?: boolean;
  /** Clock in milliseconds for the emulators (session expiry, confirm tokens, VaultRE codes). Default `Date.now`. */
  now?: () => number;
  /** Where the Vault API sends its signed webhooks (`vaultApi.setWebhookUrl()` changes it). Default none. */
  webhookUrl?: string;
  /** Faults injected into the import endpoint (`vaultApi.setFaults()` or `POST /__sandbox/faults` change them). */
  faults?: ImportFaults;
  /** How long the background refresh of an imported OAuth token takes, in ms. Default 500. */
  refreshDelayMs?: number;
  /** Told of each import the Vault API performs (tests and benchmarks count them). */
  onImport?: (consumerId: string, connectionId: string) => void;
}

export interface Sandbox {
  vaultApiUrl: string;
  vaultJsUrl: string;
  /** Hosted Vault base (the element's `vault-url`), e.g. `http://127.0.0.1:41234`; also in `session_uri`. */
  hostedVaultUrl: string;
  /** VaultRE authorize base (the element's `vaultre-authorize-url`), `http://127.0.0.1:<port>/cgi-bin/clientvault`. */
  vaultreUrl: string;
  /** VaultRE's code exchange, `{vaultreUrl}/integrations/oauthexchange.cgi` (`createVaultreHandler`'s `exchangeUrl`). */
  vaultreExchangeUrl: string;
  /**
   * VaultRE's API base, `http://127.0.0.1:<port>/api/v1.3` (for `https://ap-southeast-2.api.vaultre.com.au/api/v1.3`):
   * `GET {vaultreApiUrl}/scopes` verifies a token, with `X-Api-Key: {vaultreApiKey}` and `Authorization: Bearer`.
   */
  vaultreApiUrl: string;
  /** The integrator API key the emulated VaultRE API wants. */
  vaultreApiKey: string;
  vaultreClientId: string;
  apiKey: string;
  applicationId: string;
  vaultApi: VaultApi;
  vaultre: VaultreEmulator;
  /** Registers one more exact redirect URI for `vaultreClientId`. */
  registerVaultreRedirectUri(uri: string): void;
  /** Turns the COOP switch on or off for every sandbox page, immediately. */
  setCoop(on: boolean): void;
  /** Whether the COOP switch is on (a host serving its own pages beside the sandbox can follow it). */
  readonly coop: boolean;
  close(): Promise<void>;
}

/** Starts the Vault API, Vault JS modal page, Hosted Vault and VaultRE emulators. */
export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const apiKey = options.apiKey ?? 'sandbox-api-key';
  const applicationId = options.applicationId ?? 'sandbox-app';
  const allowOrigin = options.allowOrigin ?? isLocalOrigin;
  const vaultreClientId = options.vaultreClientId ?? 'sandbox-vaultre-client';
  let coop = options.coop ?? false;
  const coopOn = () => coop;

  const servers: EmulatorServer[] = [];
  let vaultApiClose = () => {};
  const closeAll = async () => {
    vaultApiClose();
    await Promise.allSettled(servers.splice(0).map((server) => server.close()));
  };
  try {
    const vaultApiServer = await startEmulatorServer(options.vaultApiPort ?? 0);
    servers.push(vaultApiServer);
    const vaultJsServer = await startEmulatorServer(options.vaultJsPort ?? 0);
    servers.push(vaultJsServer);
    const hostedVaultServer = await startEmulatorServer(options.hostedVaultPort ?? 0);
    servers.push(hostedVaultServer);
    const vaultreServer = await startEmulatorServer(options.vaultrePort ?? 0);
    servers.push(vaultreServer);

    const vaultApi = createVaultApi({
      apiKey,
      applicationId,
      vaultApiUrl: vaultApiServer.url,
      hostedVaultUrl: hostedVaultServer.url,
      // The modal page must always reach the API it was made for.
      allowOrigin: (origin) => origin === vaultJsServer.url || allowOrigin(origin),
      ...(options.extra !== undefined ? { extra: options.extra } : {}),
      ...(options.now ? { now: options.now } : {}),
      ...(options.webhookUrl !== undefined ? { webhookUrl: options.webhookUrl } : {}),
      ...(options.faults ? { faults: options.faults } : {}),
      ...(options.refreshDelayMs !== undefined ? { refreshDelayMs: options.refreshDelayMs } : {}),
      ...(options.onImport ? { onImport: options.onImport } : {}),
    });
    vaultApiClose = () => vaultApi.close();
    const vaultreApiKey = options.vaultreApiKey ?? VAULTRE_SANDBOX_API_KEY;
    const vaultre = createVaultreEmulator({
      clients: { [vaultreClientId]: { redirectUris: [...(options.vaultreRedirectUris ?? [])], name: 'vault-connect demo' } },
      apiKey: vaultreApiKey,
      ...(options.now ? { now: options.now } : {}),
    });
    vaultApiServer.setHandler(withCoop(vaultApi.handler, coopOn));
    vaultJsServer.setHandler(withCoop(createVaultModalPage({ vaultApiUrl: vaultApiServer.url }), coopOn));
    hostedVaultServer.setHandler(withCoop(createHostedVault({ vaultApi, vaultApiUrl: vaultApiServer.url }), coopOn));
    vaultreServer.setHandler(withCoop(vaultre.handler, coopOn));

    const vaultreUrl = `${vaultreServer.url}${VAULTRE_BASE_PATH}`;
    return {
      vaultApiUrl: vaultApiServer.url,
      vaultJsUrl: vaultJsServer.url,
      hostedVaultUrl: hostedVaultServer.url,
      vaultreUrl,
      vaultreExchangeUrl: `${vaultreUrl}/integrations/oauthexchange.cgi`,
      vaultreApiUrl: `${vaultreServer.url}${VAULTRE_API_PATH}`,
      vaultreApiKey,
      vaultreClientId,
      apiKey,
      applicationId,
      vaultApi,
      vaultre,
      registerVaultreRedirectUri(uri) {
        vaultre.registerRedirectUri(vaultreClientId, uri);
      },
      setCoop(on) {
        coop = on;
      },
      get coop() {
        return coop;
      },
      close: closeAll,
    };
  } catch (error) {
    await closeAll();
    throw error;
  }
}
