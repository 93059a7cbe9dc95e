/**
 * The VaultRE row, a lazy chunk loaded only when `vaultre-client-id` is set. It follows VaultRE's OAuth fact sheet:
 * the authorize page (`oauth-authorize.cgi` for an office-level "account" token, `oauth-authorize-user.cgi` for a user
 * token) in a popup with `client_id`, `redirect_uri` exactly as registered, `response_type=code` and a fresh `state`;
 * on `reason=success&code=…` with our `state`, the code is posted at once to the host's `vaultre-exchange-url` (it
 * lives 60 seconds), which exchanges it server-side and keeps the token. The code is only ever in local variables:
 * never rendered, logged or stored; only the `state` is stored, and only for the same-tab fallback.
 */
import { html, nothing, type ReactiveController, type ReactiveControllerHost, type TemplateResult } from 'lit';
import * as z from 'zod/mini';
import { VaultConnectError, toVaultConnectError } from '../api/errors.ts';
import { VaultConnectErrorEvent } from '../events/vault-connect-error.ts';
import { VaultreConnectEvent } from '../events/vaultre-connect.ts';
import type { CallbackMessage } from '../flows/popup/callback-message.ts';
import type { MatchResult, MessageProvenance } from '../flows/popup/callback-listener.ts';
import { openPopup } from '../flows/popup/open-popup.ts';
import { runPopupFlow } from '../flows/popup/popup-flow.ts';
import { randomState } from '../flows/popup/random-state.ts';
import { PENDING_KEY, readPendingRedirect, startRedirectFlow, takeRedirectResult } from '../flows/popup/redirect-fallback.ts';
import type { Strings } from '../i18n/en.ts';
import type { Locale } from '../api/vocabulary.ts';
import { language, mergeStrings, type StringOverrides } from '../i18n/localize.ts';
import { vaultreEn, type VaultreStrings } from '../i18n/vaultre-en.ts';
import { vaultreTable } from '../i18n/vaultre-tables.ts';
import { confirmInDialog } from '../view/confirm-dialog.ts';

export const DEFAULT_VAULTRE_AUTHORIZE_URL = 'https://login.vaultre.com.au/cgi-bin/clientvault';

/** How long after it arrived a code may still be posted again after a network failure (it lives 60 seconds). */
const YOUNG_CODE_MS = 30_000;

export type VaultreTokenType = 'account' | 'user';

/** What the row reads from its element. */
export interface VaultreHost extends ReactiveControllerHost, EventTarget {
  readonly vaultreClientId: string | undefined;
  readonly vaultreRedirectUri: string | undefined;
  readonly vaultreExchangeUrl: string | undefined;
  readonly vaultreTokenType: VaultreTokenType;
  readonly vaultreAuthorizeUrl: string | undefined;
  readonly flowTimeout: number;
  readonly locale: string;
  /** The element's `strings` overrides; `vaultre` holds the row's own. */
  readonly strings: StringOverrides | undefined;
  readonly renderRoot: HTMLElement | DocumentFragment;
}

export interface VaultreServices {
  strings(): Strings;
  announce(text: string): void;
  describe(error: VaultConnectError): string;
}

/** `GET {vaultre-exchange-url}`. */
const StatusSchema = z.looseObject({
  connected: z.boolean(),
  token_type: z.optional(z.enum(['account', 'user'])),
  connected_at: z.optional(z.string()),
});
type Status = z.infer<typeof StatusSchema>;

/** A host error reply: `{"error": "code_expired", "message": "…"}`. */
const HostErrorSchema = z.looseObject({ error: z.optional(z.string()), message: z.optional(z.string()) });

/** The authorize URL: `redirect_uri` exactly as given (VaultRE matches registered URIs exactly, query included). */
export function vaultreAuthorizeUrl(base: string, tokenType: VaultreTokenType, clientId: string, redirectUri: string, state: string): string {
  const page = tokenType === 'user' ? 'oauth-authorize-user.cgi' : 'oauth-authorize.cgi';
  const query = [
    ['client_id', clientId],
    ['redirect_uri', redirectUri],
    ['response_type', 'code'],
    ['state', state],
  ]
    .map(([key, value]) => `${key}=${encodeURIComponent(value)}`)
    .join('&');
  return `${base.replace(/\/+$/, '')}/${page}?${query}`;
}

/** Our return carries our `state`; a VaultRE return with another (or none) is a mismatch; anything else is not ours. */
function matchState(state: string) {
  return (message: CallbackMessage, _provenance: MessageProvenance): MatchResult => {
    if (message.query.state === state) return 'accept';
    return message.query.reason !== undefined ? 'mismatch' : 'ignore';
  };
}

type Phase = 'idle' | 'waiting' | 'exchanging' | 'disconnecting';

export class VaultreRow implements ReactiveController {
  /** `undefined` while the status loads. */
  status: Status | undefined;
  phase: Phase = 'idle';
  error: VaultConnectError | undefined;
  /** How many times the browser blocked the popup in a row: once offers a retry, twice also this tab. */
  blocked = 0;

  /** What `retry` does: read the status again, or start a new authorization (a code is never posted twice). */
  #retry: 'refresh' | 'connect' = 'refresh';
  readonly #host: VaultreHost;
  readonly #services: VaultreServices;
  #lifetime = new AbortController();
  #flow: AbortController | undefined;
  #popup: Window | undefined;
  /** The strings on screen (a locale switch keeps them until the new ones are in) and their language. */
  #table: VaultreStrings | undefined;
  #lang: Locale = 'en';

  /** The row's strings: its table (English before the first) with the element's `strings.vaultre` merged over it. */
  get #t(): VaultreStrings {
    return mergeStrings(this.#table ?? vaultreEn, this.#host.strings?.vaultre);
  }

  constructor(host: VaultreHost, services: VaultreServices) {
    this.#host = host;
    this.#services = services;
    host.addController(this);
  }

  hostConnected(): void {
    this.#lifetime = new AbortController();
    void this.#start();
  }

  hostDisconnected(): void {
    this.#lifetime.abort();
    this.#flow?.abort();
  }

  /** Ends the VaultRE flow in progress (`aborted`): the popup closes. */
  cancel(): void {
    this.#flow?.abort();
  }

  async #start(): Promise<void> {
    let pending = false;
    try {
      pending = sessionStorage.getItem(PENDING_KEY) !== null;
    } catch {
      // Storage disabled: there is no same-tab flow to finish.
    }
    if (pending && readPendingRedirect()?.kind === 'vaultre') await this.#resume();
    else await this.refresh();
  }

  /** The token type, normalised: anything but `user` is an office-level `account` token (the attribute's default). */
  get #tokenType(): VaultreTokenType {
    return this.#host.vaultreTokenType === 'user' ? 'user' : 'account';
  }

  /** Reads the status from `GET {vaultre-exchange-url}`. */
  async refresh(): Promise<void> {
    const url = this.#host.vaultreExchangeUrl;
    if (!url) {
      // Misconfigured: there is no status to wait for, and nothing to connect to.
      this.status = { connected: false };
      this.#retry = 'refresh';
      this.#fail(new VaultConnectError('exchange_failed', { detail: 'vaultre-exchange-url' }));
      return;
    }
    this.status = undefined;
    this.#host.requestUpdate();
    try {
      const response = await fetch(url, { credentials: 'same-origin', headers: { accept: 'application/json' }, signal: this.#lifetime.signal });
      if (!response.ok) throw new VaultConnectError('api_error', { detail: `(${response.status})`, retryable: response.status >= 500 });
      const parsed = StatusSchema.safeParse(await response.json().catch(() => undefined));
      if (!parsed.success) throw new VaultConnectError('invalid_response');
      this.status = parsed.data;
      this.error = undefined;
    } catch (error) {
      if (this.#lifetime.signal.aborted) return;
      this.status = { connected: false };
      this.#retry = 'refresh';
      this.#fail(toVaultConnectError(error));
    }
    this.#host.requestUpdate();
  }

  /**
   * Starts the authorization. Synchronous up to the popup, which must open inside the click; with `sameTab` (the popup
   * was blocked twice) the page itself goes to VaultRE and the callback page finishes the exchange.
   */
  connect(sameTab = false): Promise<void> {
    const host = this.#host;
    // A flow whose popup reads closed (closed by the user, or severed by COOP) gives way to a new authorization once
    // the new window is open; until then it goes on listening.
    const stale = this.#flow;
    if (stale && !this.#popup?.closed) {
      try {
        this.#popup?.focus();
      } catch {
        // A cross-origin window may refuse.
      }
      return Promise.resolve();
    }
    const { vaultreClientId: clientId, vaultreRedirectUri: redirectUri, vaultreExchangeUrl: exchangeUrl } = host;
    if (!clientId || !redirectUri || !exchangeUrl) {
      this.#fail(new VaultConnectError('exchange_failed', { detail: 'vaultre-redirect-uri / vaultre-exchange-url' }));
      return Promise.resolve();
    }
    const state = randomState();
    const url = vaultreAuthorizeUrl(host.vaultreAuthorizeUrl || DEFAULT_VAULTRE_AUTHORIZE_URL, this.#tokenType, clientId, redirectUri, state);
    if (sameTab) {
      stale?.abort();
      startRedirectFlow(
        {
          id: randomState(),
          kind: 'vaultre',
          state,
          returnUrl: location.href,
          exchangeUrl: new URL(exchangeUrl, location.href).href,
          tokenType: this.#tokenType,
          redirectUri,
          startedAt: Date.now(),
        },
        url,
      );
      return Promise.resolve();
    }
    let popup: Window;
    try {
      popup = openPopup(`vault-connect-vaultre-${randomState()}`);
    } catch (error) {
      this.blocked++;
      this.#retry = 'connect';
      this.#fail(toVaultConnectError(error));
      return Promise.resolve();
    }
    this.blocked = 0;
    stale?.abort();
    return this.#authorize(popup, url, state, redirectUri, exchangeUrl);
  }

  async #authorize(popup: Window, url: string, state: string, redirectUri: string, exchangeUrl: string): Promise<void> {
    const flow = new AbortController();
    this.#flow = flow;
    this.#popup = popup;
    const signal = AbortSignal.any([flow.signal, this.#lifetime.signal]);
    this.error = undefined;
    this.#setPhase('waiting', this.#t.waiting);
    try {
      const { query } = await runPopupFlow({
        popup,
        url,
        callbackOrigin: new URL(redirectUri, location.href).origin,
        match: matchState(state),
        signal,
        timeoutMs: this.#host.flowTimeout,
        // The popup reads closed, but the code may still come (see `runPopupFlow`): offer a retry meanwhile.
        onClosed: () => {
          this.#retry = 'connect';
          this.error = new VaultConnectError('popup_closed', { retryable: true });
          this.#services.announce(this.#services.describe(this.error));
          this.#host.requestUpdate();
        },
      });
      this.error = undefined;
      if (query.reason !== 'success') {
        throw new VaultConnectError('access_denied', { detail: query.reason === 'User denied request' ? undefined : query.reason?.slice(0, 200) });
      }
      if (!query.code) throw new VaultConnectError('exchange_failed');
      this.#setPhase('exchanging', this.#t.exchanging);
      const result = await this.#exchange(exchangeUrl, query.code, state, redirectUri, Date.now(), signal);
      this.#connected(result);
    } catch (error) {
      this.#retry = 'connect';
      if (!this.#lifetime.signal.aborted) this.#fail(toVaultConnectError(error));
    } finally {
      // Not when a new authorization replaced this one (see `connect`).
      if (this.#flow === flow || !this.#flow) {
        this.#flow = undefined;
        this.#popup = undefined;
        this.#setPhase('idle');
      }
    }
  }

  /**
   * Posts the code to the host the moment it arrives. A network failure is retried once, and only while the code is
   * young; a code is never posted twice otherwise (an expired one means a new authorization).
   */
  async #exchange(exchangeUrl: string, code: string, state: string, redirectUri: string, receivedAt: number, signal: AbortSignal): Promise<unknown> {
    const body = JSON.stringify({ code, state, token_type: this.#tokenType, redirect_uri: redirectUri });
    for (let attempt = 0; ; attempt++) {
      let response: Response;
      try {
        response = await fetch(exchangeUrl, {
          method: 'POST',
          credentials: 'same-origin',
          headers: { 'content-type': 'application/json', accept: 'application/json' },
          body,
          signal,
        });
      } catch (error) {
        const failure = toVaultConnectError(error);
        if (failure.code === 'network_error' && attempt === 0 && Date.now() - receivedAt < YOUNG_CODE_MS) continue;
        throw failure;
      }
      const reply: unknown = await response.json().catch(() => undefined);
      if (response.ok && reply !== undefined) return reply;
      const hostError = HostErrorSchema.safeParse(reply);
      const detail = hostError.success ? hostError.data.message?.slice(0, 200) : undefined;
      if (hostError.success && hostError.data.error === 'code_expired') throw new VaultConnectError('code_expired', { retryable: true });
      throw new VaultConnectError('exchange_failed', { detail: detail ?? `(${response.status})`, status: response.status, retryable: response.status >= 500 });
    }
  }

  #connected(result: unknown): void {
    const reply = StatusSchema.safeParse(result);
    this.status = reply.success ? reply.data : { connected: true, token_type: this.#tokenType };
    this.error = undefined;
    this.#host.dispatchEvent(new VaultreConnectEvent({ result }));
    this.#services.announce(this.#t.connected);
    this.#host.requestUpdate();
  }

  /** Finishes a same-tab flow: the callback page exchanged the code and left only the outcome. */
  async #resume(): Promise<void> {
    const taken = takeRedirectResult();
    if (!taken || taken.pending.kind !== 'vaultre') return this.refresh();
    const { result } = taken;
    if (result.type === 'exchange' && result.ok) {
      this.#connected(result.body);
      return;
    }
    await this.refresh();
    this.#retry = 'connect';
    if (result.type === 'exchange') {
      const code = result.error === 'code_expired' || result.error === 'network_error' ? result.error : 'exchange_failed';
      this.#fail(new VaultConnectError(code, { detail: result.message?.slice(0, 200), retryable: true }));
    } else if (result.query.state !== taken.pending.state) {
      this.#fail(new VaultConnectError('state_mismatch'));
    } else {
      this.#fail(new VaultConnectError('access_denied'));
    }
  }

  /** `DELETE {vaultre-exchange-url}` after an in-element confirmation. */
  async disconnect(): Promise<void> {
    const url = this.#host.vaultreExchangeUrl;
    const strings = this.#services.strings();
    if (!url) return;
    const confirmed = await confirmInDialog(this.#host.renderRoot as ShadowRoot, {
      title: this.#t.confirmTitle,
      body: this.#t.confirmBody,
      confirm: strings.confirmDisconnect,
      cancel: strings.cancel,
    });
    if (!confirmed) return;
    this.error = undefined;
    this.#setPhase('disconnecting', this.#t.disconnecting);
    try {
      const response = await fetch(url, { method: 'DELETE', credentials: 'same-origin', signal: this.#lifetime.signal });
      if (!response.ok) throw new VaultConnectError('api_error', { detail: `(${response.status})`, retryable: response.status >= 500 });
      this.status = { connected: false };
      this.#services.announce(this.#t.disconnected);
    } catch (error) {
      if (!this.#lifetime.signal.aborted) this.#fail(toVaultConnectError(error));
    } finally {
      this.#setPhase('idle');
    }
  }

  #setPhase(phase: Phase, announcement?: string): void {
    this.phase = phase;
    if (announcement) this.#services.announce(announcement);
    this.#host.requestUpdate();
  }

  #fail(error: VaultConnectError): void {
    // A cancel is the user's own doing: nothing to show.
    if (error.code === 'aborted') return;
    this.error = error;
    const message = this.#services.describe(error);
    this.#services.announce(message);
    this.#host.dispatchEvent(new VaultConnectErrorEvent({ code: error.code, message, retryable: error.retryable }));
    this.#host.requestUpdate();
  }

  #onClick = (event: Event): void => {
    const button = (event.target as Element).closest<HTMLButtonElement>('button[data-action]');
    if (!button || button.disabled) return;
    const action = button.dataset.action;
    const restoreFocus = async () => {
      await this.#host.updateComplete;
      const row = this.#host.renderRoot.querySelector('[data-service-id="vaultre"]');
      (row?.querySelector<HTMLButtonElement>(`button[data-action="${action}"]:not(:disabled)`) ?? row?.querySelector<HTMLButtonElement>('button:not(:disabled)'))?.focus();
    };
    let done: Promise<void>;
    if (action === 'connect' || action === 'reconnect') done = this.connect();
    else if (action === 'disconnect') done = this.disconnect();
    else if (action === 'retry') done = this.#retry === 'connect' ? this.connect('sameTab' in button.dataset) : this.refresh();
    else return;
    void done.then(restoreFocus);
  };

  render(): TemplateResult | typeof nothing {
    const table = vaultreTable(language(this.#host.locale), () => this.#host.requestUpdate());
    if (table) {
      this.#table = table;
      this.#lang = language(this.#host.locale);
    }
    // Until its locale's strings are in, nothing (as before its chunk came) rather than another language.
    if (!this.#table) return nothing;
    const t = this.#t;
    const strings = this.#services.strings();
    const status = this.status;
    const connected = status?.connected === true;
    const busy = this.phase === 'exchanging' || this.phase === 'disconnecting' || status === undefined;
    const progress =
      status === undefined ? t.checking : this.phase === 'idle' ? undefined : t[this.phase];
    const badge = connected ? 'connected' : 'not_connected';
    const since = connected && status.connected_at ? new Date(status.connected_at) : undefined;
    const hint =
      since && !Number.isNaN(since.valueOf())
        ? t.connectedSince(new Intl.DateTimeFormat(this.#lang, { dateStyle: 'medium' }).format(since))
        : this.#tokenType === 'user'
          ? t.userHint
          : t.accountHint;
    const actions = connected ? (['reconnect', 'disconnect'] as const) : (['connect'] as const);
    // The row's own buttons; its clicks are handled here (the list's delegated handler ignores rows without data-key).
    /* eslint-disable lit-a11y/click-events-have-key-events */
    return html`<section part="group" data-unified-api="vaultre" aria-labelledby="group-vaultre" @click=${this.#onClick}>
      <h3 part="group-title" id="group-vaultre">${t.group}</h3>
      <ul>
        <li part="connection" class="row" data-service-id="vaultre" aria-labelledby="name-vaultre" aria-busy=${String(busy)}>
          <span part="icon" class="icon" aria-hidden="true"><span class="monogram">V</span></span>
          <span class="text">
            <span part="name" class="name" id="name-vaultre">${t.name}</span>
            <span part="tag-line" class="tag-line">${hint}</span>
            ${this.error ? html`<span part="row-error" class="row-error">${this.#services.describe(this.error)}</span>` : nothing}
          </span>
          <span part="badge" class="badge" data-status=${badge} data-tone=${connected ? 'success' : 'neutral'}>${strings.status[badge]}</span>
          <span part="actions" class="actions">
            ${progress ? html`<span class="progress" role="status">${progress}</span>` : nothing}
            ${actions.map(
              (action) => html`<button
                part="button button-${action}"
                class=${action === 'connect' ? 'primary' : action === 'disconnect' ? 'danger' : 'secondary'}
                type="button"
                data-action=${action}
                aria-label=${strings.actionLabel(strings.action[action], t.name)}
                ?disabled=${busy}
              >${strings.action[action]}</button>`,
            )}
            ${this.error?.retryable || this.error?.code === 'access_denied' || this.blocked > 0
              ? html`<button part="button button-retry" class="secondary" type="button" data-action="retry" ?disabled=${busy}>${strings.action.retry}</button>`
              : nothing}
            ${this.blocked > 1
              ? html`<button part="button button-retry" class="secondary" type="button" data-action="retry" data-same-tab>${strings.continueInThisTab}</button>`
              : nothing}
          </span>
        </li>
      </ul>
    </section>`;
    /* eslint-enable lit-a11y/click-events-have-key-events */
  }
}
