/**
 * The VaultRE row's markup: the same parts and hooks as an Apideck row (`data-service-id="vaultre"`), its own group.
 * Its clicks go to the row's own handler (the list's delegated handler ignores rows without `data-key`).
 */
import { html, nothing, type TemplateResult } from 'lit';
import { STATUS_TONES } from '../api/connection-status.ts';
import type { VaultConnectError } from '../api/errors.ts';
import type { Strings } from '../../i18n/en.ts';
import type { VaultreStrings } from '../../i18n/vaultre-en.ts';
import type { RowButtonAction } from '../api/connection-status.ts';
import { actionButton } from '../templates/connection-row.ts';

/** What the row shows. */
export interface VaultreRowView {
  strings: Strings;
  /** The row's own strings. */
  text: VaultreStrings;
  connected: boolean;
  /** The host holds a token that VaultRE no longer accepts (`reason: "revoked"`): `needs_reauth`. */
  revoked: boolean;
  /** The buttons are disabled (the status loads, or a code is being exchanged or the token forgotten). */
  busy: boolean;
  /** What is in progress, if anything. */
  progress: string | undefined;
  /** The tag line: since when it is connected, or what the token type means. */
  hint: string;
  error: VaultConnectError | undefined;
  /** The error as the user reads it. */
  errorText: string | undefined;
  /** How many times the browser blocked the popup in a row: once offers a retry, twice also this tab. */
  blocked: number;
  /** The search or the status filter leaves the row out. */
  hidden: boolean;
  /** Draws the row's More menu, while it is open. */
  menu: ((actions: readonly RowButtonAction[], name: string) => TemplateResult) | undefined;
  onClick: (event: Event) => void;
}

export function renderVaultreRow(view: VaultreRowView): TemplateResult {
  const { strings, text, connected, revoked, busy, error } = view;
  const badge = connected ? 'connected' : revoked ? 'needs_reauth' : 'not_connected';
  // As in an Apideck row: the first action is the only visible button, the others are in the More menu.
  const [primary, ...more] = connected || revoked ? (['reconnect', 'disconnect'] as const) : (['connect'] as const);
  /* eslint-disable lit-a11y/click-events-have-key-events -- the row's buttons are the keyboard targets */
  return html`<section part="group" data-unified-api="vaultre" aria-labelledby="group-vaultre" ?hidden=${view.hidden}
    @click=${view.onClick}>
    <h3 part="group-title" id="group-vaultre">${text.group}</h3>
    <ul>
      <li part="connection" class="row" data-service-id="vaultre" aria-labelledby="name-vaultre" aria-busy=${String(busy)}>
        <span part="icon" class="icon" aria-hidden="true"><span class="monogram">V</span></span>
        <span class="text">
          <span part="name" class="name" id="name-vaultre">${text.name}</span>
          ${view.errorText ? html`<span part="row-error" class="row-error">${view.errorText}</span>` : nothing}
          <span part="tag-line" class="tag-line">${view.hint}</span>
        </span>
        <span part="badge" class="badge" data-status=${badge} data-tone=${STATUS_TONES[badge]}>${strings.status[badge]}</span>
        <span part="actions" class="actions">
          ${view.progress ? html`<span class="progress" role="status">${view.progress}</span>` : nothing}
          <button
            part="button button-${primary}"
            class=${connected ? 'secondary' : 'primary'}
            type="button"
            data-action=${primary}
            aria-label=${strings.actionLabel(strings.action[primary], text.name)}
            ?disabled=${busy}
          >${strings.action[primary]}</button>
          ${error?.retryable || error?.code === 'access_denied' || view.blocked > 0
            ? html`<button part="button button-retry" class="secondary" type="button" data-action="retry" ?disabled=${busy}>${strings.action.retry}</button>`
            : nothing}
          ${view.blocked > 1
            ? html`<button part="button button-retry" class="secondary" type="button" data-action="retry" data-same-tab>${strings.continueInThisTab}</button>`
            : nothing}
          ${more.length > 0 ? actionButton('more', strings.moreLabel(text.name), '···', busy, view.menu?.(more, text.name)) : nothing}
        </span>
      </li>
    </ul>
  </section>`;
  /* eslint-enable lit-a11y/click-events-have-key-events */
}
