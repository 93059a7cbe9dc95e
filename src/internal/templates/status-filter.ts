/**
 * The status filter above the list: a radio group (`part="filter"`) of one chip per option, each with its count. Its
 * styles are a constructable stylesheet adopted when
 * its chunk arrives (no inline style, so it works under a strict CSP).
 */
import { css, html, type TemplateResult } from 'lit';
import { FILTER_GROUPS, type FilterGroup } from '../api/status-groups.ts';
import type { ConnectionStatus } from '../api/vocabulary.ts';
import type { Strings } from '../../i18n/en.ts';

const styles = css`
  .filter {
    display: flex;
    flex-wrap: wrap;
    gap: 0.5rem;
    margin-block-end: var(--_spacing);
  }
  .chip {
    display: inline-flex;
    align-items: baseline;
    gap: 0.375rem;
    border-radius: 999px;
    padding: 0.25rem 0.75rem;
  }
  .count {
    font-variant-numeric: tabular-nums;
    color: var(--_color-text-muted);
  }
  .chip[aria-checked='true'] {
    background: var(--_color-primary);
    border-color: var(--_color-primary);
    color: var(--_color-primary-text);
  }
  .chip[aria-checked='true'] .count {
    color: inherit;
  }
  .chip:hover {
    filter: contrast(0.9);
  }
  /* The panel under the list, apart from it. */
  .list + .state {
    margin-block-start: var(--_spacing);
  }
`;

/** Adopts the filter's stylesheet into the element's shadow root, once. */
export function adoptFilterStyles(root: ShadowRoot): void {
  const sheet = styles.styleSheet;
  if (sheet && !root.adoptedStyleSheets.includes(sheet)) root.adoptedStyleSheets = [...root.adoptedStyleSheets, sheet];
}

/** A row drawn outside the list (the VaultRE row), which the search and the filter cover too. */
export interface ExtraRow {
  readonly name: string;
  /** `undefined` while its status loads: it then shows only under All. */
  readonly status: ConnectionStatus | undefined;
}

/** What a row drawn outside the list asks of the status filter: whether the search and the chosen option show it. */
export interface ExtraRowFilter {
  showsExtra(row: ExtraRow, query: string): boolean;
}

export interface FilterView {
  strings: Strings;
  selected: FilterGroup;
  counts: Record<FilterGroup, number>;
  onClick: (event: Event) => void;
  onKeydown: (event: KeyboardEvent) => void;
}

/** The counts as one sentence, e.g. "All 22, Connected 6, Needs attention 4, Not connected 12". */
export function describeCounts(strings: Strings, counts: Record<FilterGroup, number>): string {
  return FILTER_GROUPS.map((group) => `${strings.filter[group]} ${counts[group]}`).join(', ');
}

/** The panel under the list when the search or the chosen option leaves no row (as the list's other panels). */
export function renderEmptyPanel(message: string): TemplateResult {
  return html`<div part="state" class="state">${message}</div>`;
}

export function renderStatusFilter(view: FilterView): TemplateResult {
  const { strings, selected, counts } = view;
  return html`<div part="filter" class="filter" role="radiogroup" aria-label=${strings.filterLabel} @click=${view.onClick}
      @keydown=${view.onKeydown}>${FILTER_GROUPS.map(
        (group) => html`<button part="filter-option" class="chip" type="button" role="radio" data-filter=${group}
          aria-checked=${String(group === selected)} tabindex=${group === selected ? 0 : -1}>${strings.filter[group]} <span
          class="count">${counts[group]}</span></button>`,
      )}</div>`;
}
