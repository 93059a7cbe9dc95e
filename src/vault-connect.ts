import { html, LitElement, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { connectionKey } from './api/connection-status.ts';
import { describeError, VaultConnectError } from './api/errors.ts';
import type * as Interactions from './view/row-interactions.ts';
import type * as Windowing from './view/windowed-rows.ts';
import { loadWindowing, WINDOWED_FROM } from './view/windowing.ts';
import type { InteractionHost } from './view/row-interactions.ts';
import type { VaultreRow } from './vaultre/vaultre-row.ts';
import type { Connection } from './api/schemas.ts';
import type { Locale, OpenMode, RowAction, Theme } from './api/vocabulary.ts';
import type { VaultModal } from './flows/vault-modal.ts';
import { en, type Strings } from './i18n/en.ts';
import type { LocalizedHost, StringOverrides } from './i18n/localize.ts';
import { ConnectionsController } from './state/connections-controller.ts';
import { displayName, onImageError, renderConnectionRow, renderSkeleton } from './view/connection-row.ts';

/** Rows drawn by the first render of a list, then by each following task. */
const FIRST_ROWS = 24;
const MORE_ROWS = 1000;

/** `error` does not bubble: the list catches its images' errors in the capture phase. */
const IMAGE_ERROR = { handleEvent: onImageError, capture: true };
import { styles } from './vault-connect.styles.ts';

/** Prepares the strings in the localizer chunk (loaded once; should it fail to load, English until it does). */
const localize = (host: LocalizedHost, use: (strings: Strings) => void): Promise<void> =>
  import('./i18n/localize.ts').then(
    (module) => module.prepare(host, use),
    () => undefined,
  );

/**
 * Languages: `locale` picks the strings (English is built in; `nl`, `de`, `fr` and `es` load as small chunks), and the
 * `strings` property overrides any of them with a partial object merged over the locale's, e.g.
 * `el.strings = { action: { connect: 'Link' }, errors: { network_error: 'Offline?' }, vaultre: { group: 'Property' } }`.
 * Dates are formatted with `Intl`; the layout follows the page's writing direction (`dir="rtl"`).
 *
 * Theming: every default colour is `light-dark(light, dark)`, so `theme` (`light`, `dark`, or `auto` following
 * `prefers-color-scheme`) needs no second palette. Set any `--vc-*` property on the element or on any ancestor (design
 * tokens on `:root` reach it; the closest value wins); use `light-dark()` there to give both.
 *
 * @tagname vault-connect
 * @summary Lists a consumer's Apideck Vault connections and lets them connect, configure, enable, disable and
 * disconnect each one.
 *
 * @event vault-connect-ready - `{connections}`: the first list has rendered.
 * @event vault-connection-change - `{connection}`: a connection changed; the value is re-read from the Vault API.
 * @event vault-connection-delete - `{connection}`: a connection was disconnected.
 * @event vault-connect-error - `{code, message, retryable}`: something failed.
 * @event vaultre-connect - `{result}`: VaultRE is connected; `result` is the host backend's reply to the code exchange.
 *
 * @csspart connection - Each row; carries `data-service-id`.
 * @csspart icon - A row's icon (or monogram).
 * @csspart name - A row's name.
 * @csspart tag-line - A row's tag line.
 * @csspart badge - A row's status badge; carries `data-status`.
 * @csspart actions - The group of a row's buttons.
 * @csspart button - Every action button; also `button-<action>`, e.g. `button-disconnect`, and in the dialog
 *   `button-cancel` and `button-confirm`.
 * @csspart row-error - The message of a row whose last action failed.
 * @csspart search - The search box.
 * @csspart group - A group of rows for one unified API.
 * @csspart group-title - A group's heading.
 * @csspart state - The loading, empty, idle and error panels.
 * @csspart dialog - The disconnect confirmation dialog (a native modal `<dialog>`).
 *
 * @cssprop --vc-font-family - Font family.
 * @cssprop --vc-font-size - Base font size.
 * @cssprop --vc-color-text - Text colour.
 * @cssprop --vc-color-text-muted - Secondary text colour.
 * @cssprop --vc-color-background - Background of rows and dialogs.
 * @cssprop --vc-color-surface - Background of icons and skeletons.
 * @cssprop --vc-color-border - Borders and dividers.
 * @cssprop --vc-color-primary - Primary buttons and the focus ring.
 * @cssprop --vc-color-primary-text - Text on primary buttons.
 * @cssprop --vc-color-danger - Destructive actions and error text.
 * @cssprop --vc-color-success-bg - Badge background, connected.
 * @cssprop --vc-color-success-fg - Badge text, connected.
 * @cssprop --vc-color-warning-bg - Badge background, needs attention.
 * @cssprop --vc-color-warning-fg - Badge text, needs attention.
 * @cssprop --vc-color-danger-bg - Badge background, invalid.
 * @cssprop --vc-color-danger-fg - Badge text, invalid.
 * @cssprop --vc-color-neutral-bg - Badge background, not connected or disabled.
 * @cssprop --vc-color-neutral-fg - Badge text, not connected or disabled.
 * @cssprop --vc-radius - Corner radius.
 * @cssprop --vc-spacing - Base spacing unit.
 * @cssprop --vc-focus-ring - Box shadow of the keyboard focus ring.
 */
export class VaultConnect extends LitElement {
  static override styles = styles;

  // Lit's static properties rather than decorators: the decorator helpers cost first-load bytes (see the size budget).
  static override properties = {
    announcement: { state: true },
    sessionUrl: { attribute: 'session-url' },
    token: { attribute: false },
    vaultModal: { attribute: false },
    unifyBaseUrl: { attribute: 'unify-base-url' },
    vaultUrl: { attribute: 'vault-url' },
    unifiedApi: { attribute: 'unified-api' },
    openMode: { attribute: 'open-mode' },
    callbackUrl: { attribute: 'callback-url' },
    flowTimeout: { attribute: 'flow-timeout', type: Number },
    vaultreClientId: { attribute: 'vaultre-client-id' },
    vaultreRedirectUri: { attribute: 'vaultre-redirect-uri' },
    vaultreExchangeUrl: { attribute: 'vaultre-exchange-url' },
    vaultreTokenType: { attribute: 'vaultre-token-type' },
    vaultreAuthorizeUrl: { attribute: 'vaultre-authorize-url' },
    locale: { reflect: true },
    strings: { attribute: false },
    theme: { reflect: true },
  };

  readonly #connections = new ConnectionsController(this);
  /** The strings to render: the locale's, with `strings` merged over them (see `scheduleUpdate`). */
  #strings: Strings = en;
  /** Lower-cased names for search, computed once per connection object. */
  readonly #searchText = new WeakMap<Connection, string>();
  /** Rows grouped by unified API, recomputed only when the list changes. */
  #groups: { source: readonly Connection[]; groups: [string, Connection[]][] } | undefined;
  /** The VaultRE row (its own chunk), once `vaultre-client-id` is set. */
  #vaultre: VaultreRow | undefined;
  /** The row-interactions chunk once loaded (fetched when a pointer or focus reaches the list; see #prefetch). */
  #interactions: typeof Interactions | undefined;
  /** Draws a long list's rows near the viewport (the windowing chunk, loaded the first time a list is long enough); `false` if it failed to load. */
  #windowing: Windowing.RowWindow | false | undefined;
  /** Set while the windowing chunk loads: `updateComplete` waits for it. */
  #windowingLoad: Promise<void> | undefined;

  /** The search text. */
  private query = '';
  private announcement = '';

  /** Host endpoint that returns a Vault session token (`POST`, `credentials: 'same-origin'`, body `{}`). */
  sessionUrl: string | undefined;

  /** A session JWT given directly, instead of `session-url`. */
  token: string | undefined;

  /** The embedded-Vault implementation (`{open, close}`); default `@apideck/vault-js`, loaded lazily. */
  vaultModal: VaultModal | undefined;

  /** Vault API base. Default `https://unify.apideck.com`. */
  unifyBaseUrl: string | undefined;

  /** Hosted Vault base. Default `https://vault.apideck.com`. */
  vaultUrl: string | undefined;

  /** Show only this unified API (`crm`, `accounting`, …). */
  unifiedApi: string | undefined;

  /**
   * How an Apideck connection is opened: `modal` (default, the embedded Vault), `popup` (Hosted Vault in a popup) or
   * `direct` (the connection's `authorize_url` in a popup). `popup` and `direct` need `callback-url`.
   */
  openMode: OpenMode = 'modal';

  /** The host page that runs the callback module (`redirect_uri` for `direct`, the session's for `popup`). */
  callbackUrl: string | undefined;

  /** How long a popup flow may take, in milliseconds, before it ends with `timeout`. Default 10 minutes. */
  flowTimeout = 600_000;

  /** VaultRE OAuth client ID. When set, a VaultRE row is shown. */
  vaultreClientId: string | undefined;

  /** The redirect URI exactly as registered with VaultRE: a page that runs the callback module. */
  vaultreRedirectUri: string | undefined;

  /** Host endpoint for the VaultRE token: `POST` exchanges a code, `GET` reports status, `DELETE` forgets the token. */
  vaultreExchangeUrl: string | undefined;

  /** `account` (default: office-level, approved by a VaultRE system admin) or `user`. */
  vaultreTokenType: 'account' | 'user' = 'account';

  /** VaultRE authorize base. Default `https://login.vaultre.com.au/cgi-bin/clientvault`. */
  vaultreAuthorizeUrl: string | undefined;

  /**
   * `en` (default), `nl`, `de`, `fr`, `es`; a region picks its language (`fr-CA` → `fr`), anything else is English.
   * Each language but English is a lazy chunk. Passed on to the Vault modal.
   */
  locale: Locale = 'en';

  /**
   * Overrides any string: a partial object merged over the locale's, e.g. `{ action: { connect: 'Link' } }`; the
   * VaultRE row's strings are under `vaultre`. Unknown keys and values of another kind are ignored.
   */
  strings: StringOverrides | undefined;

  /** `auto` (default, follows `prefers-color-scheme`), `light`, `dark`. */
  theme: Theme = 'auto';

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (this.vaultreClientId && !this.#vaultre) void this.#loadVaultre();
    if (!(changed.has('sessionUrl') || changed.has('token') || changed.has('unifiedApi') || changed.has('unifyBaseUrl'))) return;
    // The load started on connect already used these values, unless it found no session (set after append).
    if (this.hasUpdated || this.#connections.status === 'idle') this.#connections.sessionChanged();
  }

  /** How many rows the list draws; grows by \`MORE_ROWS\` a task until every row is in (see \`#renderBody\`). */
  #rowBudget = FIRST_ROWS;
  #moreRows: number | undefined;

  /** Settles once every row of a long list is drawn, not only its first slice. */
  protected override async getUpdateComplete(): Promise<boolean> {
    let done = await super.getUpdateComplete();
    // `done` is false when the update asked for another (a windowed list measuring its rows): wait for that one too.
    while ((this.#moreRows !== undefined || this.#windowingLoad || !done) && this.isConnected) {
      await (this.#windowingLoad ?? new Promise((resolve) => setTimeout(resolve)));
      done = await super.getUpdateComplete();
    }
    return done;
  }

  /**
   * A pointer over the list or focus in it: fetch the interactions chunk the first click needs (a page whose user only
   * reads the list never loads it). Were it still on its way at the click, the click waits for it.
   */
  #prefetch = (): void => void this.#loadInteractions().catch(() => undefined);

  private get searchInput(): HTMLInputElement | null {
    return this.renderRoot.querySelector('input[type="search"]');
  }

  /**
   * Prepares the strings before each update when `locale` or `strings` asks for more than built-in English: the
   * localizer chunk, and the locale's table, load the first time. The update (and `updateComplete`) waits for them, so
   * the element never shows a flash of another language; they are fetched alongside the session request.
   */
  protected override scheduleUpdate(): void | Promise<unknown> {
    if (this.locale !== 'en' || this.strings) {
      return localize(this, (strings) => (this.#strings = strings)).then(() => super.scheduleUpdate());
    }
    this.#strings = en;
    // English, built in: the update runs at once, as without this override.
    return super.scheduleUpdate();
  }

  #announce(text: string): void {
    // Re-announce an identical message by clearing first.
    this.announcement = '';
    void this.updateComplete.then(() => {
      this.announcement = text;
    });
  }

  #matches(connection: Connection, needle: string): boolean {
    if (!needle) return true;
    let text = this.#searchText.get(connection);
    if (text === undefined) {
      text = displayName(connection).toLocaleLowerCase();
      this.#searchText.set(connection, text);
    }
    return text.includes(needle);
  }

  #grouped(connections: readonly Connection[]): [string, Connection[]][] {
    if (this.#groups?.source === connections) return this.#groups.groups;
    const groups = new Map<string, Connection[]>();
    for (const connection of connections) {
      const list = groups.get(connection.unified_api);
      if (list) list.push(connection);
      else groups.set(connection.unified_api, [connection]);
    }
    const result = [...groups];
    this.#groups = { source: connections, groups: result };
    return result;
  }

  #groupTitle(unifiedApi: string): string {
    const titles = this.#strings.unifiedApi;
    return (Object.hasOwn(titles, unifiedApi) && titles[unifiedApi]) || unifiedApi.replace(/[-_]/g, ' ').replace(/^./, (c) => c.toUpperCase());
  }

  #onSearch = (event: Event): void => {
    this.query = (event.target as HTMLInputElement).value;
    // A short list hides the rows that do not match; a windowed one draws only those that do.
    this.requestUpdate();
  };

  /** The list's Try again. Its button goes with the error panel: focus moves on to the search box (or the next Try again). */
  #retryList = async (): Promise<void> => {
    await this.refresh();
    await this.updateComplete;
    (this.renderRoot.querySelector<HTMLElement>('.error button') ?? this.searchInput)?.focus();
  };

  #onListClick = (event: Event): void => {
    const button = (event.target as Element).closest<HTMLButtonElement>('button[data-action]');
    const row = button?.closest<HTMLElement>('[data-key]');
    if (!button || !row || button.disabled) return;
    const connection = this.#connections.connections.find((c) => connectionKey(c) === row.dataset.key);
    if (!connection) return;
    void this.#runRowAction(connection, button.dataset.action as RowAction, 'sameTab' in button.dataset);
  };

  /**
   * Hands a row action to the interactions chunk. It is prefetched once the list is ready, so this normally runs
   * synchronously into the click (a popup must open there); were it still on its way, a popup may be blocked, and
   * the row then offers a retry.
   */
  async #runRowAction(connection: Connection, action: RowAction, sameTab = false): Promise<void> {
    const interactions = this.#interactions ?? (await this.#loadInteractions());
    return interactions.runRowAction(this.#interactionHost, connection, action, sameTab);
  }

  async #loadVaultre(): Promise<VaultreRow> {
    const { VaultreRow } = await import('./vaultre/vaultre-row.ts');
    this.#vaultre ??= new VaultreRow(this, {
      strings: () => this.#strings,
      announce: (text) => this.#announce(text),
      describe: (error) => this.describe(error),
    });
    this.requestUpdate();
    return this.#vaultre;
  }

  #loadWindowing(): void {
    // Should it fail to load, every row goes in the DOM, in slices: slower, but the list is whole.
    this.#windowingLoad ??= loadWindowing()
      .catch(() => false as const)
      .then((module) => {
        this.#windowing = module && new module.RowWindow(this);
        this.#windowingLoad = undefined;
        this.requestUpdate();
      });
  }

  async #loadInteractions(): Promise<typeof Interactions> {
    this.#interactions ??= await import('./view/row-interactions.ts');
    return this.#interactions;
  }

  /** What the interactions chunk may use of the element. */
  get #interactionHost(): InteractionHost {
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- the host object reads the element's live values
    const element = this;
    return {
      connections: this.#connections,
      get openMode() {
        return element.openMode;
      },
      get callbackUrl() {
        return element.callbackUrl;
      },
      renderRoot: this.renderRoot as ShadowRoot,
      get updateComplete() {
        return element.updateComplete;
      },
      strings: this.#strings,
      announce: (text) => this.#announce(text),
      describe: (error) => this.describe(error),
      fallbackFocus: () => this.searchInput,
    };
  }

  /** The sentence the user reads for an error, in the element's locale. @internal */
  describe(error: VaultConnectError): string {
    return describeError(error, this.#strings.errors);
  }

  /** Reloads the list from the Vault API. Settles when the list (or the error) is shown. */
  async refresh(): Promise<void> {
    await this.#connections.load();
  }

  /**
   * Opens a connection as its row's `connect` (or `settings`, when already connected) button would. Settles when the
   * flow ends; failures are reported through `vault-connect-error`.
   */
  async openConnection(serviceId: string, unifiedApi?: string): Promise<void> {
    if (this.#connections.status !== 'ready') await this.#connections.load();
    const connection = this.#connections.find(serviceId, unifiedApi);
    if (connection) await this.#runRowAction(connection, connection.state === 'available' ? 'connect' : 'settings');
    else this.#connections.reportError(new VaultConnectError('api_error', { detail: `“${serviceId}” (404)` }));
  }

  /** Ends the flow in progress (`aborted`): the modal or popup closes and the flow's promise settles. */
  cancel(): void {
    this.#connections.cancel();
    this.#vaultre?.cancel();
  }

  /**
   * Starts VaultRE's authorization, as the VaultRE row's `connect` button would. Settles when the flow ends. Call it
   * from a click handler: a popup opened later may be blocked.
   */
  async connectVaultre(): Promise<void> {
    await (this.#vaultre ?? (await this.#loadVaultre())).connect();
  }

  #renderBody(): TemplateResult | typeof nothing {
    const { status, error, connections } = this.#connections;
    const strings = this.#strings;
    if (status === 'idle' && !this.#connections.sessionConfigured) {
      // A page that only uses VaultRE has no Apideck session, and nothing to wait for.
      return this.vaultreClientId ? nothing : html`<div part="state" class="state">${strings.waitingForSession}</div>`;
    }
    if (status === 'error' && error) {
      return html`<div part="state" class="state error" role="alert">
        <strong>${strings.errorTitle}</strong>
        <p>${this.describe(error)}</p>
        <button part="button button-retry" class="primary" type="button" data-action="retry" @click=${this.#retryList}>
          ${strings.action.retry}
        </button>
      </div>`;
    }
    // A long list shows the skeleton until the windowing chunk is in (it loads in a few milliseconds).
    const windowed = connections.length > WINDOWED_FROM && this.#windowing !== false;
    if (windowed && !this.#windowing) this.#loadWindowing();
    if (status !== 'ready' || (windowed && !this.#windowing)) {
      this.#rowBudget = FIRST_ROWS;
      return html`<ul aria-busy="true" aria-label=${strings.loading}>${renderSkeleton()}</ul>`;
    }
    if (connections.length === 0) {
      return html`<div part="state" class="state">${strings.empty}</div>`;
    }
    const needle = this.query.trim().toLocaleLowerCase();
    const groups = this.#grouped(connections);
    if (this.#windowing && windowed) {
      const { sections, visible } = this.#windowing.sections(groups, needle, {
        matches: (c) => this.#matches(c, needle),
        row: (c) => this.#row(c, connectionKey(c), false),
        title: (unifiedApi) => this.#groupTitle(unifiedApi),
      });
      return this.#renderList(sections, visible);
    }
    let visible = 0;
    let budget = this.#rowBudget;
    const sections = groups.map(([unifiedApi, rows], index) => {
      let shown = 0;
      // A plain map, not \`repeat\`: rows keep their order, and search hides rows instead of removing them.
      const items = rows.map((connection) => {
          const key = connectionKey(connection);
          const hidden = !this.#matches(connection, needle);
          if (!hidden) shown++;
          return budget-- > 0 ? this.#row(connection, key, hidden) : nothing;
        });
      visible += shown;
      // By position, not by name: any string can be a unified API (encodeURIComponent threw on a lone surrogate).
      const titleId = `group-${index}`;
      return html`<section part="group" data-unified-api=${unifiedApi} ?hidden=${shown === 0} aria-labelledby=${titleId}>
        <h3 part="group-title" id=${titleId}>${this.#groupTitle(unifiedApi)}</h3>
        <ul>${items}</ul>
      </section>`;
    });
    // A long list renders in slices, one task each, so the first screenful paints at once and input stays responsive.
    // The next slice waits for the frame that paints this one (a task queued from requestAnimationFrame runs after
    // it): a plain timeout would run first and hold the first paint back until every row is in.
    if (budget < 0) this.#moreRows ??= requestAnimationFrame(() => setTimeout(() => {
      this.#moreRows = undefined;
      this.#rowBudget += MORE_ROWS;
      this.requestUpdate();
    }));
    return this.#renderList(sections, visible);
  }

  #row(connection: Connection, key: string, hidden: boolean): TemplateResult {
    const rowError = this.#connections.rowErrors.get(key);
    return renderConnectionRow(connection, key, {
      strings: this.#strings,
      allow: this.#connections.allow,
      pending: this.#connections.pending.get(key),
      // Described at each render, so a row's error follows a change of \`locale\`.
      error: rowError && this.describe(rowError),
      hidden,
      blocked: this.#connections.blocked.get(key)?.count ?? 0,
    });
  }

  #renderList(sections: TemplateResult[], visible: number): TemplateResult {
    // One delegated listener for every row button; the buttons themselves are the keyboard targets.
    /* eslint-disable lit-a11y/click-events-have-key-events */
    return html`
      <div class="list" @click=${this.#onListClick} @error=${IMAGE_ERROR} @pointerover=${this.#prefetch} @focusin=${this.#prefetch}>${sections}</div>
      ${visible === 0 ? html`<div part="state" class="state">${this.#strings.noMatches(this.query.trim())}</div>` : nothing}
    `;
    /* eslint-enable lit-a11y/click-events-have-key-events */
  }

  override render(): TemplateResult {
    const strings = this.#strings;
    return html`
      <div class="toolbar">
        <input
          part="search"
          type="search"
          aria-label=${strings.searchLabel}
          placeholder=${strings.searchPlaceholder}
          .value=${this.query}
          @input=${this.#onSearch}
          ?disabled=${this.#connections.status !== 'ready'}
        />
      </div>
      ${(this.vaultreClientId && this.#vaultre?.render()) || nothing}${this.#renderBody()}
      <div class="visually-hidden" role="status" aria-live="polite">${this.announcement}</div>
    `;
  }
}
