/**
 * The status filter (a lazy chunk, fetched while the list loads): which option is chosen, the count of each option
 * among the rows the search matches, and the radio group's keyboard (arrow keys move and choose, Home and End go to
 * the ends, one Tab stop). When the user searches or chooses an option, the counts are announced politely once they
 * have settled, so typing does not read out every keystroke.
 */
import { nothing, type ReactiveController, type ReactiveControllerHost, type TemplateResult } from 'lit';
import { connectionStatus } from '../api/connection-status.ts';
import type { Connection } from '../api/schemas.ts';
import { displayName } from '../templates/connection-row.ts';
import { filterChanged } from './filter-version.ts';
import { FILTER_GROUPS, STATUS_GROUPS, type FilterGroup } from '../api/status-groups.ts';
import type { ConnectionStatus } from '../api/vocabulary.ts';
import { withFlows } from '../../i18n/en.ts';
import type { ListStrings } from '../../i18n/en-list.ts';
import { adoptFilterStyles, describeCounts, renderEmptyPanel, renderStatusFilter, type ExtraRow, type ExtraRowFilter } from '../templates/status-filter.ts';

export interface FilterHost extends ReactiveControllerHost {
  readonly renderRoot: HTMLElement | DocumentFragment;
  readonly updateComplete: Promise<boolean>;
}

export interface FilterServices {
  /** The element's strings: English's are the list's alone, to which `withFlows` adds the filter's. */
  strings(): ListStrings;
  announce(text: string): void;
}

/** How long the counts must stay still after a search or a choice before they are announced (ms). */
const SETTLE_MS = 600;


/** What the search box holds, as the search compares it. */
const needleOf = (query: string) => query.trim().toLocaleLowerCase();

export class StatusFilter implements ReactiveController, ExtraRowFilter {
  /** The chosen option. */
  selected: FilterGroup = 'all';
  readonly #host: FilterHost;
  readonly #services: FilterServices;
  /** The counts last drawn, and what they were counted from. */
  #counted: { connections: readonly Connection[]; query: string; needle: string; extra: string; counts: Record<FilterGroup, number> } | undefined;
  /** The search whose counts were last announced (or, the first time, shown). */
  #heard: string | undefined;
  #announcement: ReturnType<typeof setTimeout> | undefined;

  constructor(host: FilterHost, services: FilterServices) {
    this.#host = host;
    this.#services = services;
    host.addController(this);
    adoptFilterStyles(host.renderRoot as ShadowRoot);
  }

  hostDisconnected(): void {
    clearTimeout(this.#announcement);
    this.#announcement = undefined;
  }

  /** Whether a connection shows under the chosen option. */
  shows(connection: Connection): boolean {
    return this.#includes(connectionStatus(connection));
  }

  /** Whether a row drawn outside the list (the VaultRE row) matches the search (`query`) and the filter. */
  showsExtra(row: ExtraRow, query: string): boolean {
    return (this.selected === 'all' || (row.status !== undefined && this.#includes(row.status))) && row.name.toLocaleLowerCase().includes(needleOf(query));
  }

  /** After each render: a search that changed is announced (its counts) once it settles. */
  hostUpdated(): void {
    const needle = this.#counted?.needle;
    if (needle !== undefined && needle !== this.#heard) {
      // The first list is not a change to announce.
      if (this.#heard !== undefined) this.#announceSoon();
      this.#heard = needle;
    }
  }

  /**
   * The filter, once there is a list, with the count of each option among the rows whose name matches the search
   * (`query`), the VaultRE row's included (`extra`, once its status is in).
   */
  render(connections: readonly Connection[], extra: { readonly extraRow: ExtraRow | undefined } | undefined, query: string): TemplateResult | typeof nothing {
    if (connections.length === 0) return nothing;
    const row = extra?.extraRow;
    return renderStatusFilter({
      strings: withFlows(this.#services.strings()),
      selected: this.selected,
      counts: this.#counts(connections, row ? [row] : [], query),
      onClick: this.#onClick,
      onKeydown: this.#onKeydown,
    });
  }

  /**
   * The panel under the list when nothing shows: the list is empty, no row matches the search, or the chosen option
   * holds none of those that do (from the counts of the last render).
   */
  empty(connections: readonly Connection[]): TemplateResult | typeof nothing {
    const strings = withFlows(this.#services.strings());
    if (connections.length === 0) return renderEmptyPanel(strings.empty);
    const counted = this.#counted;
    if (!counted) return nothing;
    // A search that matches nothing here says so; without one, the chosen option is empty.
    if (counted.counts[this.selected] > 0) return nothing;
    return renderEmptyPanel(counted.query ? strings.noMatches(counted.query) : strings.noneUnder(strings.filter[this.selected]));
  }

  #includes(status: ConnectionStatus): boolean {
    return this.selected === 'all' || STATUS_GROUPS[status] === this.selected;
  }

  /** Counted again only when the list, the search or an extra row changes. */
  #counts(connections: readonly Connection[], extra: readonly ExtraRow[], query: string): Record<FilterGroup, number> {
    const needle = needleOf(query);
    const extraKey = extra.map((row) => `${row.name}\u0000${row.status}`).join();
    const last = this.#counted;
    if (last && last.connections === connections && last.needle === needle && last.extra === extraKey) return last.counts;
    const counts = Object.fromEntries(FILTER_GROUPS.map((group) => [group, 0])) as Record<FilterGroup, number>;
    const add = (name: string, status: ConnectionStatus | undefined) => {
      if (!name.toLocaleLowerCase().includes(needle)) return;
      counts.all++;
      if (status) counts[STATUS_GROUPS[status]]++;
    };
    for (const connection of connections) add(displayName(connection), connectionStatus(connection));
    for (const row of extra) add(row.name, row.status);
    this.#counted = { connections, query: query.trim(), needle, extra: extraKey, counts };
    return counts;
  }

  #announceSoon(): void {
    clearTimeout(this.#announcement);
    this.#announcement = setTimeout(() => {
      this.#announcement = undefined;
      const counts = this.#counted?.counts;
      if (counts) this.#services.announce(describeCounts(withFlows(this.#services.strings()), counts));
    }, SETTLE_MS);
  }

  async #choose(group: FilterGroup, focus: boolean): Promise<void> {
    if (group !== this.selected) {
      this.selected = group;
      filterChanged(this.#host);
      this.#host.requestUpdate();
      this.#announceSoon();
    }
    if (!focus) return;
    await this.#host.updateComplete;
    this.#host.renderRoot.querySelector<HTMLElement>(`[part~="filter"] [data-filter="${group}"]`)?.focus();
  }

  #onClick = (event: Event): void => {
    const option = (event.target as Element).closest<HTMLElement>('[data-filter]');
    const group = FILTER_GROUPS.find((value) => value === option?.dataset.filter);
    if (group) void this.#choose(group, false);
  };

  #onKeydown = (event: KeyboardEvent): void => {
    const option = (event.target as Element).closest<HTMLElement>('[data-filter]');
    const index = FILTER_GROUPS.findIndex((value) => value === option?.dataset.filter);
    if (index < 0) return;
    // In a right-to-left page the next option is to the left.
    const rtl = getComputedStyle(event.currentTarget as Element).direction === 'rtl';
    const forward = rtl ? 'ArrowLeft' : 'ArrowRight';
    const backward = rtl ? 'ArrowRight' : 'ArrowLeft';
    const last = FILTER_GROUPS.length - 1;
    let next: number;
    if (event.key === forward || event.key === 'ArrowDown') next = index === last ? 0 : index + 1;
    else if (event.key === backward || event.key === 'ArrowUp') next = index === 0 ? last : index - 1;
    else if (event.key === 'Home') next = 0;
    else if (event.key === 'End') next = last;
    else return;
    event.preventDefault();
    void this.#choose(FILTER_GROUPS[next], true);
  };
}
