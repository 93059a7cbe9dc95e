/**
 * One row of the list. Text from the API goes through Lit text bindings (escaped); images only from safe URLs.
 * Clicks are handled by one delegated listener on the list (see `lazy-interactions.ts`), so a row creates no closures.
 */
import { html, nothing, type TemplateResult } from 'lit';
import { connectionStatus, rowActions, safeImageUrl, STATUS_TONES, type RowButtonAction } from '../api/connection-status.ts';
import type { Connection } from '../api/schemas.ts';
import type { AllowAction, RowAction } from '../api/vocabulary.ts';
import type { Strings } from '../../i18n/en.ts';

export interface RowContext {
  readonly strings: Strings;
  readonly allow: ReadonlySet<AllowAction> | undefined;
  readonly pending: RowAction | undefined;
  readonly error: string | undefined;
  readonly hidden: boolean;
  /** How many times the browser blocked this row's popup: once offers a retry, twice also the same-tab fallback. */
  readonly blocked: number;
}

export function displayName(connection: Connection): string {
  return connection.name?.trim() || connection.service_id;
}

function monogram(name: string): string {
  return Array.from(name.trim())[0]?.toUpperCase() ?? '?';
}

/**
 * Hides a broken image so the monogram under it shows through. One capturing listener on the list (`error` does not
 * bubble) instead of one per image: a thousand rows then add no listeners.
 */
function onImageError(event: Event): void {
  if (event.target instanceof HTMLImageElement) event.target.hidden = true;
}

/** The list's listener for its images' `error` (which does not bubble: caught in the capture phase). */
export const IMAGE_ERROR = { handleEvent: onImageError, capture: true };

/** A row's action button: only the label, the text and `disabled` differ between rows with the same action. */
function actionButton(action: RowButtonAction, label: string, text: string, busy: boolean): TemplateResult {
  return html`<button part="button button-${action}" class=${action === 'connect' ? 'primary' : action === 'disconnect' ? 'danger' : 'secondary'}
    type="button" data-action=${action} aria-label=${label} ?disabled=${busy}>${text}</button>`;
}

export function renderConnectionRow(connection: Connection, key: string, ctx: RowContext): TemplateResult {
  const { strings } = ctx;
  const name = displayName(connection);
  const status = connectionStatus(connection);
  const icon = safeImageUrl(connection.icon) ?? safeImageUrl(connection.logo);
  const busy = ctx.pending !== undefined;
  // The image is always there (hidden without a URL) and the tag line always a span: no nested template per row.
  return html`
    <li part="connection" class="row" data-service-id=${connection.service_id} data-key=${key} ?hidden=${ctx.hidden}
      aria-busy=${String(busy)}>
      <span part="icon" class="icon" aria-hidden="true"><span class="monogram">${monogram(name)}</span><img
        src=${icon ?? nothing} ?hidden=${!icon} alt="" loading="lazy" referrerpolicy="no-referrer" /></span>
      <span class="text">
        <span part="name" class="name">${name}</span>
        <span part="tag-line" class="tag-line">${connection.tag_line}</span>
        ${status === 'needs_configuration' ? html`<span class="hint">${strings.needsConfigurationHint}</span>` : nothing}
        ${ctx.error ? html`<span part="row-error" class="row-error">${ctx.error}</span>` : nothing}
      </span>
      <span part="badge" class="badge" data-status=${status} data-tone=${STATUS_TONES[status]}>${strings.status[status]}</span>
      <span part="actions" class="actions">
        ${busy ? html`<span class="progress" role="status">${strings.progress[ctx.pending]}</span>` : nothing}
        ${rowActions(connection, ctx.allow).map((action) =>
          actionButton(action, strings.actionLabel(strings.action[action], name), strings.action[action], busy),
        )}
        ${ctx.blocked > 0 && !busy
          ? html`<button part="button button-retry" class="primary" type="button" data-action="retry">${strings.action.retry}</button>
              ${ctx.blocked > 1
                ? html`<button part="button button-retry" class="secondary" type="button" data-action="retry" data-same-tab>${strings.continueInThisTab}</button>`
                : nothing}`
          : nothing}
      </span>
    </li>
  `;
}

/** Placeholder rows while the list loads. */
export function renderSkeleton(count = 4): TemplateResult {
  return html`${Array.from(
    { length: count },
    () => html`<li class="row skeleton" aria-hidden="true"><span class="icon"></span><span class="text"><span class="bar"></span><span class="bar"></span></span></li>`,
  )}`;
}
