/**
 * What a row shows of its actions: the action in progress, the last failure, Try again (with the same-tab fallback
 * once the browser blocked the row's popup twice), and its open More menu. Drawn by the interactions chunk, so the first load has
 * neither these templates nor their strings; the row places them (see `RowActivityView`).
 */
import { html, nothing } from 'lit';
import type { RowAction } from '../api/vocabulary.ts';
import type { Strings } from '../../i18n/en.ts';
import type { RowActivityView } from './connection-row.ts';

export function renderRowActivity(
  strings: Strings,
  pending: RowAction | undefined,
  error: string | undefined,
  retries: number,
  menu: RowActivityView['menu'],
): RowActivityView {
  const busy = pending !== undefined;
  return {
    busy,
    menu,
    error: error ? html`<span part="row-error" class="row-error">${error}</span>` : nothing,
    progress: busy ? html`<span class="progress" role="status">${strings.progress[pending]}</span>` : nothing,
    retry:
      retries > 0 && !busy
        ? html`<button part="button button-retry" class="primary" type="button" data-action="retry">${strings.action.retry}</button>
            ${retries > 1
              ? html`<button part="button button-retry" class="secondary" type="button" data-action="retry" data-same-tab>${strings.continueInThisTab}</button>`
              : nothing}`
        : nothing,
  };
}
