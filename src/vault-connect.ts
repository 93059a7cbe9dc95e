import { html, LitElement, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { describeError } from './internal/api/errors.ts';
import type { Locale, OpenMode, Theme, WindowMode } from './internal/api/vocabulary.ts';
import type { VaultModal } from './internal/actions/vault-modal.ts';
import { Announcer } from './internal/controllers/announcer.ts';
import { ConnectionsController } from './internal/controllers/connections-controller.ts';
import { ListController, type ListView } from './internal/controllers/list-controller.ts';
import { LocalizeController } from './internal/controllers/localize-controller.ts';
import { LazyInteractions } from './internal/controllers/lazy-interactions.ts';
import { IMAGE_ERROR, renderConnectionRow } from './internal/templates/connection-row.ts';
import { renderLoadError, renderLoading, renderWaiting } from './internal/templates/list-states.ts';
import { groupTitle } from './internal/templates/group-section.ts';
import type { VaultreRow } from './internal/vaultre/vaultre-row.ts';
import type { StringOverrides } from './i18n/localize.ts';
import { styles } from './vault-connect.styles.ts';

/**
 * Languages: `locale` picks the strings (English is built in; `nl`, `de`, `fr` and `es` load as small chunks), and the
 * `strings` property overrides any of them with a partial object merged over the locale's, e.g.
 * `el.strings = { action: { connect: 'Link' }, errors: { network_error: 'Offline?' }, vaultre: { group: 'Property' } }`.
 * Dates are formatted with `Intl`; the layout follows the page's writing direction (`dir="rtl"`).
 *
 * Theming: every default colour is `light-dark(light, dark)`, so `theme` (`light`, `dark`, or `auto` following the
 * page's `color-scheme`: light on a page that declares none, the browser's preference on one that declares
 * `light dark`) needs no second palette. Set any `--vc-*` property on the element or on any ancestor (design
 * tokens on `:root` reach it; the closest value wins); use `light-dark()` there to give both.
 *
 * @tagname vault-connect
 * @summary Lists a consumer's Apideck Vault connections and lets them connect, configure, enable, disable and
 * disconnect each one.
 *
 * @event vault-connect-ready - `{connections}`: the first list has rendered.
 * @event vault-connection-change - `{connection}`: a connection changed or is new; the value is re-read from the
 *   Vault API (after a flow, or when the list is read again as the user comes back to the page).
 * @event vault-connection-delete - `{connection}`: a connection was disconnected, or is gone from the list.
 * @event vault-connect-error - `{code, message, retryable}`: something failed.
 * @event vaultre-connect - `{result}`: VaultRE is connected; `result` is the host backend's reply to the code exchange.
 *
 * @csspart connection - Each row; carries `data-service-id`.
 * @csspart icon - A row's icon (or monogram).
 * @csspart name - A row's name.
 * @csspart tag-line - A row's tag line.
 * @csspart badge - A row's status badge; carries `data-status`.
 * @csspart actions - The group of a row's buttons.
 * @csspart button - Every action button; also `button-<action>`, e.g. `button-connect`, `button-more` (the More
 *   button), and in the dialog `button-cancel` and `button-confirm`.
 * @csspart menu - A row's More menu (`role="menu"`), while it is open.
 * @csspart menu-item - Each item of a More menu (`role="menuitem"`); also `button-<action>`, e.g. `button-disconnect`.
 * @csspart filter - The status filter above the list (a radio group).
 * @csspart filter-option - Each option of the status filter; carries `data-filter` and `aria-checked`.
 * @csspart row-error - The message of a row whose last action failed.
 * @csspart search - The search box.
 * @csspart sandbox-marker - "Sandbox", beside the search box, when the session's `settings.sandbox_mode` is on.
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
    windowMode: { attribute: 'window-mode' },
  };

  readonly #localize = new LocalizeController(this);
  readonly #announcer = new Announcer(this);
  /**
   * What the lazy parts use of the element: its strings (English's are the list's alone: the lazy parts add their
   * own with `withFlows`), its `locale` (dates are written in its language), its live region, its search box.
   */
  readonly #services = {
    strings: () => this.#localize.strings,
    locale: () => this.locale,
    announce: (text: string) => this.#announcer.announce(text),
    fallbackFocus: () => this.#searchInput,
  };
  readonly #connections: ConnectionsController = new ConnectionsController(this, {
    describe: (error) => describeError(error, this.#localize.strings),
    reloaded: () => this.#interactions.clearErrors(),
    resume: () => this.#interactions.resume(),
  });
  readonly #interactions = new LazyInteractions(this, this.#connections, this.#services);
  readonly #list = new ListController(this, this.#services);
  /** The VaultRE row (its own chunk), once `vaultre-exchange-url` is set. */
  #vaultre: VaultreRow | undefined;
  /** How the list draws a row and a group's heading. */
  readonly #view: ListView = {
    row: (connection, key, hidden) => {
      return renderConnectionRow(connection, key, {
        strings: this.#localize.strings,
        allow: this.#connections.allow,
        activity: this.#interactions.activity(key),
        hidden,
        dates: this.#connections.dates,
        locale: this.locale,
      });
    },
    title: (unifiedApi) => groupTitle(this.#localize.strings, unifiedApi),
  };

  /**
   * Host endpoint that returns a Vault session token (`POST`, body `{}`, with `credentials: 'same-origin'`, or
   * `'include'` when it is on another origin: list this page's origin in the handler's `allowedOrigins`).
   */
  sessionUrl: string | undefined;

  /** A session JWT given directly, instead of `session-url`. */
  token: string | undefined;

  /**
   * The embedded-Vault implementation (`{open, close}`); default `@apideck/vault-js`, loaded lazily. One of your own
   * must call `options.onReady` once its UI is up: the element gives up on a modal that is not ready within 10 s.
   */
  vaultModal: VaultModal | undefined;

  /**
   * Vault API base. Default `https://unify.apideck.com`. Must be `https:` (`http:` only on localhost, `127.0.0.0/8`,
   * `[::1]`): anything else is refused with `invalid_config`, since the session JWT goes there.
   */
  unifyBaseUrl: string | undefined;

  /** Hosted Vault base. Default `https://vault.apideck.com`. `https:` only, like `unify-base-url` (`invalid_config`). */
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

  /**
   * How long a popup flow may take, in milliseconds, before it ends with `timeout`. Default 10 minutes. A numeric string
   * (`"60000"`, as a framework template sets it) is read as a number.
   */
  flowTimeout: number | `${number}` = 600_000;

  /**
   * @deprecated Since 0.2.0 the server builds the authorize URL (`createVaultreHandler`'s `clientId`); accepted and
   * ignored.
   */
  vaultreClientId: string | undefined;

  /**
   * @deprecated Since 0.2.0 the server puts its registered redirect URI in the authorize URL (`createVaultreHandler`'s
   * `redirectUri`); accepted and ignored.
   */
  vaultreRedirectUri: string | undefined;

  /**
   * Host endpoint for VaultRE (`createVaultreHandler`): `POST {"action": "authorize"}` gives the authorize URL,
   * `POST {code, state}` (from the callback page) exchanges a code, `GET` reports status, `DELETE` forgets the token.
   * When set, a VaultRE row is shown. On another origin it is called with `credentials: 'include'`.
   */
  vaultreExchangeUrl: string | undefined;

  /** `account` (default: office-level, approved by a VaultRE system admin) or `user`. */
  vaultreTokenType: 'account' | 'user' = 'account';

  /**
   * @deprecated Since 0.2.0 the server holds the authorize base (`createVaultreHandler`'s `authorizeUrl`); accepted and
   * ignored.
   */
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

  /**
   * `auto` (default: follows the page's `color-scheme`, so a page that declares none stays light and one that declares
   * `light dark` follows the browser's preference), `light`, `dark`.
   */
  theme: Theme = 'auto';

  /**
   * Where a popup flow (`open-mode` `popup` or `direct`, and VaultRE) runs: `auto` (default) in a popup, except in the
   * in-app browsers listed in docs/window-mode.md (Facebook, Instagram, LinkedIn…), which cannot keep a popup and its
   * opener together: there it runs in this tab, and the callback page brings the user back. `popup` and `same-tab`
   * force either. The embedded Vault modal opens in the page either way.
   */
  windowMode: WindowMode = 'auto';

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (this.vaultreExchangeUrl && !this.#vaultre) void this.#loadVaultre();
    if (!(changed.has('sessionUrl') || changed.has('token') || changed.has('unifiedApi') || changed.has('unifyBaseUrl'))) return;
    // The load started on connect already used these values, unless it found no session (set after append).
    if (this.hasUpdated || this.#connections.status === 'idle') this.#connections.sessionChanged();
  }

  /** Settles once every row of a long list is drawn, not only its first slice. */
  protected override async getUpdateComplete(): Promise<boolean> {
    return this.#list.drawn(await super.getUpdateComplete(), () => super.getUpdateComplete());
  }

  /**
   * Holds each update while `locale` or `strings` asks for strings not in yet (see `LocalizeController.prepare`), so
   * the element never shows a flash of another language; built-in English updates at once.
   */
  protected override scheduleUpdate(): void | Promise<unknown> {
    const strings = this.#localize.prepare(this.#connections.error);
    return strings ? strings.then(() => super.scheduleUpdate()) : super.scheduleUpdate();
  }

  get #searchInput(): HTMLInputElement | null {
    return this.renderRoot.querySelector('input[type="search"]');
  }

  #onSearch = (event: Event): void => {
    this.#list.query = (event.target as HTMLInputElement).value;
    // A short list hides the rows that do not match; a windowed one draws only those that do.
    this.requestUpdate();
  };

  /** The list's Try again. Its button goes with the error panel: focus moves on to the search box (or the next Try again). */
  #retryList = async (): Promise<void> => {
    await this.refresh();
    await this.updateComplete;
    (this.renderRoot.querySelector<HTMLElement>('.error button') ?? this.#searchInput)?.focus();
  };

  async #loadVaultre(): Promise<VaultreRow> {
    const { createVaultreRow } = await import('./internal/vaultre/create-vaultre-row.ts');
    this.#vaultre ??= createVaultreRow(this, this.#services);
    this.requestUpdate();
    return this.#vaultre;
  }

  /**
   * Reloads the list from the Vault API, and the VaultRE row's status from `vaultre-exchange-url`. Settles when both
   * (or their errors) are shown.
   */
  async refresh(): Promise<void> {
    await Promise.all([this.#connections.load(), this.#vaultre?.refresh()]);
  }

  /**
   * Opens a connection as its row's `connect` (or `settings`, when already connected) button would. Settles when the
   * flow ends; failures are reported through `vault-connect-error`.
   */
  async openConnection(serviceId: string, unifiedApi?: string): Promise<void> {
    await this.#interactions.open(serviceId, unifiedApi);
  }

  /** Ends the flow in progress (`aborted`): the modal or popup closes and the flow's promise settles. */
  cancel(): void {
    this.#interactions.cancel();
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
    const strings = this.#localize.strings;
    // A page that only uses VaultRE has no Apideck session, and nothing to wait for.
    if (status === 'idle' && !this.#connections.sessionConfigured) return this.vaultreExchangeUrl ? nothing : renderWaiting(strings);
    if (status === 'error' && error) return renderLoadError(strings, describeError(error, strings), this.#retryList);
    const sections = this.#list.draw(connections, status === 'ready', this.#view);
    if (!sections) return renderLoading(strings);
    const interactions = this.#interactions;
    const { filter } = this.#list;
    // One delegated listener for every row button; the buttons themselves are the keyboard targets. Under the list, the
    // filter's panel says when the list is empty, or the search or the chosen option leaves no row.
    /* eslint-disable lit-a11y/click-events-have-key-events */
    return html`
      <div class="list" @click=${interactions.onClick} @error=${IMAGE_ERROR} @pointerover=${interactions.prefetch}
        @focusin=${interactions.prefetch}>${sections}</div>
      ${filter ? filter.empty(connections) : nothing}
    `;
    /* eslint-enable lit-a11y/click-events-have-key-events */
  }

  override render(): TemplateResult {
    const strings = this.#localize.strings;
    const { filter, query } = this.#list;
    const vaultre = this.vaultreExchangeUrl ? this.#vaultre : undefined;
    const ready = this.#connections.status === 'ready';
    return html`
      <div class="toolbar">
        <input part="search" type="search" aria-label=${strings.searchLabel} placeholder=${strings.searchPlaceholder}
          .value=${query} @input=${this.#onSearch} ?disabled=${!ready} />
        ${this.#connections.sandboxMode ? html`<span part="sandbox-marker" class="badge" data-tone="warning">${strings.sandboxMarker}</span>` : nothing}
      </div>
      ${ready && filter ? filter.render(this.#connections.connections, vaultre, query) : nothing}
      ${vaultre?.render(filter, query)}${this.#renderBody()}
      ${this.#announcer.render()}
    `;
  }
}
