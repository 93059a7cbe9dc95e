/**
 * One row of the list. Text from the API goes through Lit text bindings (escaped); images only from safe URLs.
 * Clicks are handled by one delegated listener on the list (see `lazy-interactions.ts`), so a row creates no closures.
 */
import { html, nothing, type TemplateResult } from 'lit';
import { connectionStatus, rowActions, safeImageUrl, STATUS_TONES, type RowButtonAction } from '../api/connection-status.ts';
import type { Connection } from '../api/schemas.ts';
import type { AllowAction, ConnectionStatus } from '../api/vocabulary.ts';
import type { ListStrings } from '../../i18n/en-list.ts';
import type * as statusDates from './status-dates.ts';

/**
 * What a row shows of its actions, drawn by the interactions chunk (`row-activity.ts`) once a row action ran or its
 * More menu opened: the first load has neither those templates nor their strings.
 */
export interface RowActivityView {
  /** An action is in progress: the buttons are disabled. */
  readonly busy: boolean;
  /** Under the name: the last failure. */
  readonly error: unknown;
  /** Before the buttons: what is in progress. */
  readonly progress: unknown;
  /** After the buttons: Try again (and the same-tab fallback). */
  readonly retry: unknown;
  /** Draws the row's More menu with its actions, while it is open. */
  readonly menu: ((actions: readonly RowButtonAction[], name: string) => TemplateResult) | undefined;
}

export interface RowContext {
  readonly strings: ListStrings;
  readonly allow: ReadonlySet<AllowAction> | undefined;
  readonly activity: RowActivityView | undefined;
  readonly hidden: boolean;
  /** The dates rows with an `expiring` or `degraded` status speak of, once their chunk is in. */
  readonly dates: StatusDates | undefined;
  /** The element's `locale`: dates are written in its language. */
  readonly locale: string;
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

/**
 * A row's visible button: its primary action, or More, the trigger of its menu (the menu-button pattern), with the
 * menu after it while it is open (drawn by a lazy chunk, inside the row). Settings and More are the calm, outlined ones
 * (no class); the others are filled (`primary`).
 */
export function actionButton(action: RowButtonAction | 'more', label: string, text: string, busy: boolean, menu?: TemplateResult): TemplateResult {
  const more = action === 'more';
  return html`<button part="button button-${action}" class=${more || action === 'settings' ? nothing : 'primary'} type="button"
    data-action=${action} aria-haspopup=${more ? 'menu' : nothing} aria-expanded=${more ? !!menu : nothing} aria-label=${label}
    ?disabled=${busy}>${text}</button>${menu}`;
}

/** The `status-dates.ts` chunk, once it is in (it is fetched with the first list request). */
export type StatusDates = typeof statusDates;

/** A row's badge text: the status's label, or for `expiring` the day to reconnect before (once the dates are in). */
export function statusLabel(
  strings: ListStrings,
  connection: Connection,
  status: ConnectionStatus,
  dates: StatusDates | undefined,
  locale: string,
): string {
  return (status === 'expiring' && dates?.expiringLabel(strings, connection, locale)) || strings.status[status];
}

export function renderConnectionRow(connection: Connection, key: string, ctx: RowContext): TemplateResult {
  const { strings } = ctx;
  const name = displayName(connection);
  const status = connectionStatus(connection);
  const icon = safeImageUrl(connection.icon) ?? safeImageUrl(connection.logo);
  const activity = ctx.activity;
  const busy = activity?.busy ?? false;
  // The primary action is the only visible button; the others are in the More menu.
  const [primary, ...more] = rowActions(connection, ctx.allow);
  const note =
    status === 'needs_configuration'
      ? strings.needsConfigurationHint
      : status === 'degraded'
        ? ctx.dates?.degradedLine(strings, connection, ctx.locale)
        : undefined;
  // The image is always there (hidden without a URL) and the tag line always a span: no nested template per row.
  return html`
    <li part="connection" class="row" data-service-id=${connection.service_id} data-key=${key} ?hidden=${ctx.hidden}
      aria-busy=${String(busy)}>
      <span part="icon" class="icon" aria-hidden="true"><span class="monogram">${monogram(name)}</span><img
        src=${icon ?? nothing} ?hidden=${!icon} alt="" loading="lazy" referrerpolicy="no-referrer" /></span>
      <span class="text">
        <span part="name" class="name">${name}</span>
        ${note ? html`<span class="hint">${note}</span>` : nothing}
        ${activity?.error ?? nothing}
        <span part="tag-line" class="tag-line">${connection.tag_line}</span>
      </span>
      <span part="badge" class="badge" data-status=${status} data-tone=${STATUS_TONES[status]}>${statusLabel(strings, connection, status, ctx.dates, ctx.locale)}</span>
      <span part="actions" class="actions">
        ${activity?.progress ?? nothing}
        ${primary ? actionButton(primary, strings.actionLabel(strings.action[primary], name), strings.action[primary], busy) : nothing}
        ${activity?.retry ?? nothing}
        ${more.length > 0 ? actionButton('more', strings.moreLabel(name), '···', busy, activity?.menu?.(more, name)) : nothing}
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
