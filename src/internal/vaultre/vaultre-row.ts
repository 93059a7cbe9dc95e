/**
 * The VaultRE row's controller, a lazy chunk loaded only when `vaultre-client-id` is set: its state machine (status,
 * authorize, exchange, disconnect). It follows VaultRE's OAuth fact sheet: the authorize page in a popup
 * (`authorize-url.ts`); on `reason=success&code=…` with our `state`, the code is posted at once to the host's
 * `vaultre-exchange-url` through the VaultRE client, which exchanges it server-side and keeps the token. The code is
 * only ever in local variables: never rendered, logged or stored; only the `state` is stored, and only for the
 * same-tab fallback. Its markup is `vaultre-template.ts`.
 */
import type { ReactiveController, ReactiveControllerHost, TemplateResult } from 'lit';
import { nothing } from 'lit';
import { VaultConnectError, toVaultConnectError } from '../api/errors.ts';
import type { Locale } from '../api/vocabulary.ts';
import { VaultConnectErrorEvent } from '../../events/vault-connect-error.ts';
import { VaultreConnectEvent } from '../../events/vaultre-connect.ts';
import type { Strings } from '../../i18n/en.ts';
import { language, mergeStrings, tableOf, type StringOverrides } from '../../i18n/localize.ts';
import { vaultreEn, type VaultreStrings } from '../../i18n/vaultre-en.ts';
import { VAULTRE_TABLES } from '../../i18n/vaultre-tables.ts';
import type { CallbackMessage } from '../popup/callback-message.ts';
import type { MatchResult } from '../popup/callback-listener.ts';
import { openPopup } from '../popup/open-popup.ts';
import { runPopupFlow } from '../popup/popup-flow.ts';
import { randomState } from '../popup/random-state.ts';
import { readPendingRedirect, startRedirectFlow, takeRedirectResult } from '../popup/redirect-fallback.ts';
import { hasPendingRedirect } from '../popup/redirect-keys.ts';
import { confirmInDialog } from '../templates/confirm-dialog.ts';
import { DEFAULT_VAULTRE_AUTHORIZE_URL, vaultreAuthorizeUrl, type VaultreTokenType } from './authorize-url.ts';
import { exchangeError, VaultreClient, VaultreStatusSchema, type VaultreStatus } from './vaultre-client.ts';
import { renderVaultreRow } from './vaultre-template.ts';

/** What the row reads from its element. */
export interface VaultreHost extends ReactiveControllerHost, EventTarget {
  readonly vaultreClientId: string | undefined;
  readonly vaultreRedirectUri: string | undefined;
  readonly vaultreExchangeUrl: string | undefined;
  readonly vaultreTokenType: VaultreTokenType;
  readonly vaultreAuthorizeUrl: string | undefined;
  readonly flowTimeout: number | `${number}`;
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

/** Our return carries our `state`; a VaultRE return with another (or none) is a mismatch; anything else is not ours. */
function matchState(state: string) {
  return (message: CallbackMessage): MatchResult => {
    if (message.query.state === state) return 'accept';
    return message.query.reason !== undefined ? 'mismatch' : 'ignore';
  };
}

type Phase = 'idle' | 'waiting' | 'exchanging' | 'disconnecting';

export class VaultreRow implements ReactiveController {
  /** `undefined` while the status loads. */
  status: VaultreStatus | undefined;
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
  /** The strings on screen (a locale switch keeps them until the new ones are in), their language, and one on its way. */
  #table: VaultreStrings | undefined;
  #lang: Locale = 'en';
  #loadingLang: Locale | undefined;

  constructor(host: VaultreHost, services: VaultreServices) {
    this.#host = host;
    this.#services = services;
    host.addController(this);
    this.#pickTable();
  }

  /** The row's strings: its table (English before the first) with the element's `strings.vaultre` merged over it. */
  get #t(): VaultreStrings {
    return mergeStrings(this.#table ?? vaultreEn, this.#host.strings?.vaultre);
  }

  /** The token type, normalised: anything but `user` is an office-level `account` token (the attribute's default). */
  get #tokenType(): VaultreTokenType {
    return this.#host.vaultreTokenType === 'user' ? 'user' : 'account';
  }

  hostConnected(): void {
    this.#lifetime = new AbortController();
    void this.#start();
  }

  hostUpdate(): void {
    this.#pickTable();
  }

  hostDisconnected(): void {
    this.#lifetime.abort();
    this.#flow?.abort();
  }

  /** Ends the VaultRE flow in progress (`aborted`): the popup closes. */
  cancel(): void {
    this.#flow?.abort();
  }

  /** The table of the host's locale: at once when it is in; otherwise the one on screen stays until it arrives. */
  #pickTable(): void {
    const lang = language(this.#host.locale);
    if (this.#table && lang === this.#lang) {
      this.#loadingLang = undefined;
      return;
    }
    if (lang === this.#loadingLang) return;
    const table = tableOf(VAULTRE_TABLES, lang, vaultreEn);
    if (!(table instanceof Promise)) {
      [this.#table, this.#lang, this.#loadingLang] = [table, lang, undefined];
      return;
    }
    this.#loadingLang = lang;
    // A table that fails to load is English (and not asked for again while this locale stays).
    void table.then((loaded) => {
      if (this.#loadingLang !== lang) return;
      [this.#table, this.#lang, this.#loadingLang] = [loaded, lang, undefined];
      this.#host.requestUpdate();
    });
  }

  async #start(): Promise<void> {
    if (hasPendingRedirect() && readPendingRedirect()?.kind === 'vaultre') await this.#resume();
    else await this.refresh();
  }

  #client(): VaultreClient | undefined {
    const url = this.#host.vaultreExchangeUrl;
    return url ? new VaultreClient(url) : undefined;
  }

  /** Reads the status from `GET {vaultre-exchange-url}`. */
  async refresh(): Promise<void> {
    const client = this.#client();
    if (!client) {
      // Misconfigured: there is no status to wait for, and nothing to connect to.
      this.status = { connected: false };
      this.#retry = 'refresh';
      this.#fail(new VaultConnectError('exchange_failed', { detail: 'vaultre-exchange-url' }));
      return;
    }
    this.status = undefined;
    this.#host.requestUpdate();
    try {
      this.status = await client.status(this.#lifetime.signal);
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
    return this.#authorize(popup, url, state, redirectUri, new VaultreClient(exchangeUrl));
  }

  async #authorize(popup: Window, url: string, state: string, redirectUri: string, client: VaultreClient): Promise<void> {
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
      const outcome = await client.exchange({ code: query.code, state, tokenType: this.#tokenType, redirectUri }, signal, Date.now());
      if (!outcome.ok) throw exchangeError(outcome);
      this.#connected(outcome.body);
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

  #connected(result: unknown): void {
    const reply = VaultreStatusSchema.safeParse(result);
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
    if (result.type === 'exchange') this.#fail(exchangeError(result));
    else this.#fail(new VaultConnectError(result.query.state !== taken.pending.state ? 'state_mismatch' : 'access_denied'));
  }

  /** `DELETE {vaultre-exchange-url}` after an in-element confirmation. */
  async disconnect(): Promise<void> {
    const client = this.#client();
    const strings = this.#services.strings();
    if (!client) return;
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
      await client.forget(this.#lifetime.signal);
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
    // Until its locale's strings are in, nothing (as before its chunk came) rather than another language.
    if (!this.#table) return nothing;
    const t = this.#t;
    const status = this.status;
    const connected = status?.connected === true;
    const since = connected && status.connected_at ? new Date(status.connected_at) : undefined;
    return renderVaultreRow({
      strings: this.#services.strings(),
      text: t,
      connected,
      busy: this.phase === 'exchanging' || this.phase === 'disconnecting' || status === undefined,
      progress: status === undefined ? t.checking : this.phase === 'idle' ? undefined : t[this.phase],
      hint:
        since && !Number.isNaN(since.valueOf())
          ? t.connectedSince(new Intl.DateTimeFormat(this.#lang, { dateStyle: 'medium' }).format(since))
          : this.#tokenType === 'user'
            ? t.userHint
            : t.accountHint,
      error: this.error,
      errorText: this.error && this.#services.describe(this.error),
      blocked: this.blocked,
      onClick: this.#onClick,
    });
  }
}
