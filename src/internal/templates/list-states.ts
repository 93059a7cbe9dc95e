/**
 * The list's panels around its rows: waiting for a session, loading, a load error. The panel for an empty list, or a
 * search or a filter option that matches no row, is the status filter's (`templates/status-filter.ts`).
 */
import { html, type TemplateResult } from 'lit';
import type { ListStrings } from '../../i18n/en-list.ts';
import { renderSkeleton } from './connection-row.ts';

export function renderWaiting(strings: ListStrings): TemplateResult {
  return html`<div part="state" class="state">${strings.waitingForSession}</div>`;
}

export function renderLoading(strings: ListStrings): TemplateResult {
  return html`<ul aria-busy="true" aria-label=${strings.loading}>${renderSkeleton()}</ul>`;
}

/** The list could not be loaded: what went wrong, and a Try again. */
export function renderLoadError(strings: ListStrings, message: string, retry: () => Promise<void>): TemplateResult {
  return html`<div part="state" class="state error" role="alert">
    <strong>${strings.errorTitle}</strong>
    <p>${message}</p>
    <button part="button button-retry" class="primary" type="button" data-action="retry" @click=${retry}>${strings.action.retry}</button>
  </div>`;
}
