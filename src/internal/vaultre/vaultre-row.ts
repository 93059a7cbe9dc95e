/**
 * The VaultRE row's controller, a lazy chunk loaded only when `vaultre-exchange-url` is set: its state machine (status,
 * authorize, outcome, disconnect). The server builds the authorize URL with a state it signs (`POST {action:
 * "authorize"}` through the VaultRE client). The popup opens inside the click on `about:blank` and says "Opening
 * VaultRE…"; once the URL is in, the flow record (mode, exchange URL, expected state) goes into the popup's own
 * `sessionStorage` and the popup goes to VaultRE. The callback page in that window checks the state, posts the code to
 * the host itself and relays only the outcome, which the row takes only from its own popup (the record's id). The row
 * never sees the code. Its markup is `vaultre-template.ts`.
 */
import type { ReactiveController, ReactiveControllerHost, TemplateResult } from 'lit';
import { nothing } from 'lit';
import { VaultConnectError, toVaultConnectError } from '../api/errors.ts';
import { warnDeveloper } from '../actions/developer-warnings.ts';
import type { Locale } from '../api/vocabulary.ts';
import { VaultConnectErrorEvent } from '../../events/vault-connect-error.ts';
import { VaultreConnectEvent } from '../../events/vaultre-connect.ts';
import type { Strings } from '../../i18n/en.ts';
import { language, mergeStrings, tableOf, type StringOverrides } from '../../i18n/localize.ts';
import { vaultreEn, type VaultreStrings } from '../../i18n/vaultre-en.ts';
import { VAULTRE_TABLES } from '../../i18n/vaultre-tables.ts';
import type { CallbackMessage, CallbackOutcome } from '../popup/callback-message.ts';
import type { MatchResult, MessageProvenance } from '../popup/callback-listener.ts';
import { openPopup } from '../popup/open-popup.ts';
import { flowsInSameTab } from '../popup/window-mode.ts';
import { RowMenu } from '../menu/row-menu.ts';
import type { ExtraRow, ExtraRowFilter } from '../templates/status-filter.ts';
import { runPopupFlow } from '../popup/popup-flow.ts';
import { randomState } from '../popup/random-state.ts';
import { readPendingRedirect, startRedirectFlow, takeRedirectResult, type PendingRedirect } from '../popup/redirect-fallback.ts';
import { hasPendingRedirect } from '../popup/redirect-keys.ts';
import { confirmInDialog } from '../templates/confirm-dialog.ts';
import { exchangeError, VaultreClient, VaultreStatusSchema, type Authorization, type VaultreStatus, type VaultreTokenType } from './vaultre-client.ts';
import { renderVaultreRow } from './vaultre-template.ts';
import { adoptRowInUseStyles } from '../templates/row-in-use.ts';

/** What the row reads from its element. */
export interface VaultreHost extends ReactiveControllerHost, EventTarget {
  readonly vaultreExchangeUrl: string | undefined;
  readonly vaultreTokenType: VaultreTokenType;
  readonly windowMode: string;
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

/** Only the outcome our own popup relays (it carries the flow record's id) ends the flow; anything else is not ours. */
function matchOutcome(message: CallbackMessage, provenance: MessageProvenance): MatchResult {
  return message.outcome && provenance.fromPopup ? 'accept' : 'ignore';
}

/** Writes a line into the blank popup while the authorize URL is on its way (it is still our same-origin document). */
function sayInPopup(popup: Window, text: string, lang: string): void {
  try {
    const doc = popup.document;
    doc.title = text;
    doc.documentElement.lang = lang;
    (doc.body ?? doc.documentElement.appendChild(doc.createElement('body'))).textContent = text;
  } catch {
    // A window we cannot write to still works: it only stays blank until it navigates.
  }
}

/** The callback page must be on this page's origin: it reads the record the element wrote for it there. */
function checkCallbackOrigin(authorization: Authorization): Authorization {
  let origin: string | undefined;
  try {
    origin = new URL(authorization.redirectUri).origin;
  } catch {
    origin = undefined;
  }
  if (origin !== location.origin) {
    throw new VaultConnectError('invalid_config', { detail: 'The VaultRE redirect URI must be a page on this origin.' });
  }
  return authorization;
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
  /** The row's More menu (Disconnect, once connected). */
  readonly #menu: RowMenu;
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
    this.#menu = new RowMenu(
      host,
      () => services.strings(),
      () => host.renderRoot.querySelector('[data-service-id="vaultre"]'),
      (trigger) => (trigger.closest('[data-service-id="vaultre"]') ? 'vaultre' : undefined),
    );
    adoptRowInUseStyles(host.renderRoot as ShadowRoot);
    this.#pickTable();
  }

  /** The row as the search and the status filter see it (nothing until its strings are in). */
  get extraRow(): ExtraRow | undefined {
    if (!this.#table) return undefined;
    const status = this.status;
    return { name: this.#t.name, status: status === undefined ? undefined : status.connected ? 'connected' : this.#revoked ? 'needs_reauth' : 'not_connected' };
  }

  /** The row's strings: its table (English before the first) with the element's `strings.vaultre` merged over it. */
  get #t(): VaultreStrings {
    return mergeStrings(this.#table ?? vaultreEn, this.#host.strings?.vaultre);
  }

  /** The token type, normalised: anything but `user` is an office-level `account` token (the attribute's default). */
  get #tokenType(): VaultreTokenType {
    return this.#host.vaultreTokenType === 'user' ? 'user' : 'account';
  }

  /** The host holds a token VaultRE no longer accepts (its `verifyToken` said so): the row asks to reconnect. */
  get #revoked(): boolean {
    return this.status?.connected === false && this.status.reason === 'revoked';
  }

  /** The connection before a flow, for the callback page to tell a new one from it after a lost reply. */
  get #previous(): string | undefined {
    return this.status?.connected ? (this.status.connected_at ?? '') : undefined;
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

  /** The flow record a callback page needs to finish this authorization (no secret: the state is in the URL anyway). */
  #record(id: string, mode: PendingRedirect['mode'], authorization: Authorization): PendingRedirect {
    const previous = this.#previous;
    return {
      id,
      kind: 'vaultre',
      mode,
      state: authorization.state,
      returnUrl: location.href,
      exchangeUrl: new URL(this.#host.vaultreExchangeUrl ?? '', location.href).href,
      tokenType: this.#tokenType,
      ...(previous !== undefined ? { previous } : {}),
      startedAt: Date.now(),
    };
  }

  /** Reads the status from `GET {vaultre-exchange-url}`. */
  async refresh(): Promise<void> {
    const client = this.#client();
    if (!client) {
      // Misconfigured: there is no status to wait for, and nothing to connect to.
      this.status = { connected: false };
      this.#retry = 'refresh';
      this.#fail(new VaultConnectError('invalid_config', { detail: 'vaultre-exchange-url' }));
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
    const client = this.#client();
    if (!client) {
      this.#fail(new VaultConnectError('invalid_config', { detail: 'vaultre-exchange-url' }));
      return Promise.resolve();
    }
    // `window-mode`: in an in-app browser (or when the host asks) the page itself goes to VaultRE.
    if (sameTab || flowsInSameTab(this.#host.windowMode)) {
      stale?.abort();
      return this.#continueInThisTab(client);
    }
    let popup: Window;
    try {
      popup = openPopup(`vault-connect-vaultre-${randomState()}`);
    } catch (error) {
      this.blocked++;
      this.#retry = 'connect';
      warnDeveloper(this.#host, 'popup_blocked');
      this.#fail(toVaultConnectError(error));
      return Promise.resolve();
    }
    sayInPopup(popup, this.#t.opening, this.#lang);
    this.blocked = 0;
    stale?.abort();
    return this.#authorize(popup, client);
  }

  /** The same-tab fallback: the record goes into this tab, then the page goes to VaultRE. */
  async #continueInThisTab(client: VaultreClient): Promise<void> {
    this.error = undefined;
    this.#setPhase('waiting', this.#t.waiting);
    try {
      const authorization = checkCallbackOrigin(await client.authorize(this.#tokenType, this.#lifetime.signal));
      startRedirectFlow(this.#record(randomState(), 'same-tab', authorization), authorization.url);
    } catch (error) {
      this.#retry = 'connect';
      this.#setPhase('idle');
      if (!this.#lifetime.signal.aborted) this.#fail(toVaultConnectError(error));
    }
  }

  /**
   * Runs the popup flow. Settles when it ends, or when the popup reads closed and `popup_closed` is reported: the flow
   * then goes on listening, and a late outcome still connects (and fires `vaultre-connect`).
   */
  #authorize(popup: Window, client: VaultreClient): Promise<void> {
    return new Promise<void>((settle) => void this.#runFlow(popup, client, settle).then(settle, settle));
  }

  async #runFlow(popup: Window, client: VaultreClient, onClosed: () => void): Promise<void> {
    const flow = new AbortController();
    this.#flow = flow;
    this.#popup = popup;
    const signal = AbortSignal.any([flow.signal, this.#lifetime.signal]);
    const flowId = randomState();
    let authorization: Authorization | undefined;
    let closedReported = false;
    this.error = undefined;
    this.#setPhase('waiting', this.#t.waiting);
    try {
      const { outcome } = await runPopupFlow({
        popup,
        url: client.authorize(this.#tokenType, signal).then((answer) => {
          authorization = checkCallbackOrigin(answer);
          return answer.url;
        }),
        callbackOrigin: location.origin,
        flowId,
        record: () => this.#record(flowId, 'popup', authorization!),
        requireRecord: true,
        match: matchOutcome,
        signal,
        timeoutMs: this.#host.flowTimeout,
        // The popup reads closed, but the outcome may still come (see `runPopupFlow`): say so, offer a retry and
        // report `popup_closed` meanwhile.
        onClosed: () => {
          closedReported = true;
          this.#retry = 'connect';
          this.#setPhase('idle');
          this.#fail(new VaultConnectError('popup_closed', { retryable: true }));
          onClosed();
        },
        onSevered: () => warnDeveloper(this.#host, 'popup_severed'),
      });
      this.error = undefined;
      await this.#finish(outcome!, client, signal);
    } catch (thrown) {
      this.#retry = 'connect';
      const error = toVaultConnectError(thrown);
      // A flow that only went on listening after `popup_closed` and now times out is no new failure: the row stops
      // saying the outcome may still come, and the host, told already, hears nothing more.
      if (closedReported && error.code === 'timeout') this.#show(error);
      else if (!this.#lifetime.signal.aborted) this.#fail(error);
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
   * What the callback page relayed. A lost reply the callback page could not settle (`network_error`) is settled here
   * with the status: connected since the flow began means the exchange went through.
   */
  async #finish(outcome: CallbackOutcome, client: VaultreClient, signal: AbortSignal): Promise<void> {
    if (outcome.result === 'connected') {
      const status = VaultreStatusSchema.safeParse(outcome.body);
      this.#connected(outcome.body, status.success ? status.data : undefined);
      return;
    }
    if (outcome.result === 'denied') throw new VaultConnectError('access_denied', outcome.reason ? { detail: outcome.reason.slice(0, 200) } : {});
    const failed = {
      ok: false as const,
      status: outcome.status ?? 0,
      ...(outcome.error ? { error: outcome.error } : {}),
      ...(outcome.message ? { message: outcome.message } : {}),
      ...(outcome.retryAfter ? { retryAfter: outcome.retryAfter } : {}),
    };
    if (failed.error === 'network_error' && failed.status === 0) {
      const previous = this.#previous;
      this.#setPhase('exchanging', this.#t.exchanging);
      const status = await client.status(signal).catch(() => undefined);
      if (status?.connected && (previous === undefined || (status.connected_at ?? '') !== previous)) {
        this.#connected(status, status);
        return;
      }
    }
    throw exchangeError(failed);
  }

  /** Connected: `result` is the host's reply (the `vaultre-connect` detail), `status` what it says when it is a status. */
  #connected(result: unknown, status: VaultreStatus | undefined): void {
    this.status = status ?? { connected: true, token_type: this.#tokenType };
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
      const status = VaultreStatusSchema.safeParse(result.body);
      this.#connected(result.body, status.success ? status.data : undefined);
      return;
    }
    await this.refresh();
    this.#retry = 'connect';
    // The reply was lost and the callback page could not tell either: the status can.
    const previous = taken.pending.previous;
    const status = this.status;
    if (result.type === 'exchange' && result.error === 'network_error' && status?.connected && (previous === undefined || (status.connected_at ?? '') !== previous)) {
      this.#connected(status, status);
      return;
    }
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
      // Forgetting the token here does not revoke it at VaultRE (nothing in its OAuth flow can): the user must know.
      body: this.#revoked ? this.#t.confirmBodyRevoked : this.#t.confirmBody,
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
    const message = this.#show(error);
    this.#host.dispatchEvent(new VaultConnectErrorEvent({ code: error.code, message, retryable: error.retryable }));
  }

  /** Shows an error in the row and announces it; returns the sentence. */
  #show(error: VaultConnectError): string {
    this.error = error;
    const message = this.#services.describe(error);
    this.#services.announce(message);
    this.#host.requestUpdate();
    return message;
  }

  #onClick = (event: Event): void => {
    const button = (event.target as Element).closest<HTMLButtonElement>('button[data-action]');
    if (!button || button.disabled) return;
    const action = button.dataset.action;
    if (action === 'more') {
      this.#menu.toggle('vaultre');
      return;
    }
    // An item of the menu was chosen: it closes, focus on its trigger.
    const fromMenu = this.#menu.openKey !== undefined;
    this.#menu.close(fromMenu);
    // Afterwards focus goes back to the action's button, else (chosen in the menu) to More, else the first button.
    const restoreFocus = async () => {
      await this.#host.updateComplete;
      if (this.#menu.openKey !== undefined) return;
      const row = this.#host.renderRoot.querySelector('[data-service-id="vaultre"]');
      const find = (selector: string) => row?.querySelector<HTMLButtonElement>(`button${selector}:not(:disabled)`);
      (find(`[data-action="${action}"]`) ?? (fromMenu ? find('[data-action="more"]') : null) ?? find(''))?.focus();
    };
    let done: Promise<void>;
    if (action === 'connect' || action === 'reconnect') done = this.connect();
    else if (action === 'disconnect') done = this.disconnect();
    else if (action === 'retry') done = this.#retry === 'connect' ? this.connect('sameTab' in button.dataset) : this.refresh();
    else return;
    void done.then(restoreFocus);
  };

  /** The row, hidden when the search (`query`) or the status filter (once its chunk is in) leaves it out. */
  render(filter?: ExtraRowFilter | false, query = ''): TemplateResult | typeof nothing {
    // Until its locale's strings are in, nothing (as before its chunk came) rather than another language.
    const row = this.extraRow;
    if (!row) return nothing;
    const t = this.#t;
    const status = this.status;
    const connected = status?.connected === true;
    const revoked = this.#revoked;
    const since = connected && status.connected_at ? new Date(status.connected_at) : undefined;
    return renderVaultreRow({
      strings: this.#services.strings(),
      text: t,
      connected,
      revoked,
      busy: this.phase === 'exchanging' || this.phase === 'disconnecting' || status === undefined,
      progress: status === undefined ? t.checking : this.phase === 'idle' ? undefined : t[this.phase],
      hint: revoked
        ? t.revokedHint
        : since && !Number.isNaN(since.valueOf())
          ? t.connectedSince(new Intl.DateTimeFormat(this.#lang, { dateStyle: 'medium' }).format(since))
          : this.#tokenType === 'user'
            ? t.userHint
            : t.accountHint,
      error: this.error,
      errorText: this.error && this.#services.describe(this.error),
      blocked: this.blocked,
      hidden: !!filter && !filter.showsExtra(row, query),
      menu: this.#menu.renderer('vaultre'),
      onClick: this.#onClick,
    });
  }
}
