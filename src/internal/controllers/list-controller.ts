/**
 * How the list is drawn: rows grouped by unified API, the search, the status filter (the lazy `status-filter.ts`,
 * fetched with the list), and a long list in slices (or, past `WINDOWED_FROM` rows, windowed by the lazy
 * `windowed-rows.ts`). Groups and the lower-cased names the search reads are computed once per list and per connection.
 */
import { nothing, type ReactiveControllerHost, type TemplateResult } from 'lit';
import { connectionKey } from '../api/connection-status.ts';
import type { Connection } from '../api/schemas.ts';
import { displayName } from '../templates/connection-row.ts';
import { renderGroup } from '../templates/group-section.ts';
import type { FilterServices, StatusFilter } from './status-filter.ts';
import type { RowWindow } from './windowed-rows.ts';
import { loadWindowing, WINDOWED_FROM } from './windowing.ts';

/** Rows drawn by the first render of a list, then by each following task. */
const FIRST_ROWS = 24;
const MORE_ROWS = 1000;

type ListHost = ReactiveControllerHost & HTMLElement & { readonly renderRoot: HTMLElement | DocumentFragment; readonly updateComplete: Promise<boolean> };

/** How the element draws a row and a group's heading. */
export interface ListView {
  row(connection: Connection, key: string, hidden: boolean): TemplateResult;
  title(unifiedApi: string): string;
}

export class ListController {
  /** The search text. */
  query = '';
  readonly #host: ListHost;
  readonly #services: FilterServices;
  /** The status filter once its chunk is in; `false` if it failed to load (the list then shows without one). */
  filter: StatusFilter | false | undefined;
  /** Set while the filter's chunk loads. */
  #filterLoad: Promise<void> | undefined;
  /** Lower-cased names for search, computed once per connection object. */
  readonly #searchText = new WeakMap<Connection, string>();
  /** Rows grouped by unified API, recomputed only when the list changes. */
  #groups: { source: readonly Connection[]; groups: [string, Connection[]][] } | undefined;
  /** How many rows the list draws; grows by `MORE_ROWS` a task until every row is in. */
  #rowBudget = FIRST_ROWS;
  #moreRows: number | undefined;
  /** Draws a long list's rows near the viewport, once its chunk is in; `false` if it failed to load. */
  #windowing: RowWindow | false | undefined;
  /** Set while the windowing chunk loads. */
  #windowingLoad: Promise<void> | undefined;

  constructor(host: ListHost, services: FilterServices) {
    this.#host = host;
    this.#services = services;
  }

  /**
   * `updateComplete` of a list drawn over several updates: waits, after the update that gave `done`, until every row
   * is drawn (not only the first slice) and the windowing chunk is in.
   */
  async drawn(done: boolean, nextUpdate: () => Promise<boolean>): Promise<boolean> {
    // `done` is false when the update asked for another (a windowed list measuring its rows): wait for that one too.
    while ((this.#moreRows !== undefined || this.#windowingLoad || this.#filterLoad || !done) && this.#host.isConnected) {
      await (this.#windowingLoad ?? this.#filterLoad ?? new Promise((resolve) => setTimeout(resolve)));
      done = await nextUpdate();
    }
    return done;
  }

  /**
   * The groups of `connections`, their rows hidden where the search or the filter leaves them out; `undefined` while the list is not
   * `ready`, or waits for the filter's chunk or (a long list) the windowing chunk (each loads in a few milliseconds,
   * fetched while the list loads): the element shows its skeleton meanwhile, so the filter never pushes the rows down.
   */
  draw(connections: readonly Connection[], ready: boolean, view: ListView): TemplateResult[] | undefined {
    const windowed = connections.length > WINDOWED_FROM && this.#windowing !== false;
    if (windowed && !this.#windowing) this.#loadWindowing();
    if (this.filter === undefined) this.#loadFilter();
    if (!ready || (windowed && !this.#windowing) || this.#filterLoad) {
      this.#rowBudget = FIRST_ROWS;
      return undefined;
    }
    const needle = this.query.trim().toLocaleLowerCase();
    const groups = this.#grouped(connections);
    if (this.#windowing && windowed) {
      return this.#windowing.sections(groups, needle, {
        matches: (c) => this.#matches(c, needle),
        row: (c) => view.row(c, connectionKey(c), false),
        title: (unifiedApi) => view.title(unifiedApi),
      });
    }
    let budget = this.#rowBudget;
    const sections = groups.map(([unifiedApi, rows], index) => {
      let shown = 0;
      // A plain map, not `repeat`: rows keep their order, and search hides rows instead of removing them.
      const items = rows.map((connection) => {
        const hidden = !this.#matches(connection, needle);
        if (!hidden) shown++;
        return budget-- > 0 ? view.row(connection, connectionKey(connection), hidden) : nothing;
      });
      return renderGroup(index, unifiedApi, view.title(unifiedApi), shown === 0, items);
    });
    // A long list renders in slices, one task each, so the first screenful paints at once and input stays responsive.
    // The next slice waits for the frame that paints this one (a task queued from requestAnimationFrame runs after
    // it): a plain timeout would run first and hold the first paint back until every row is in.
    if (budget < 0) this.#moreRows ??= requestAnimationFrame(() => setTimeout(() => {
      this.#moreRows = undefined;
      this.#rowBudget += MORE_ROWS;
      this.#host.requestUpdate();
    }));
    return sections;
  }

  #matches(connection: Connection, needle: string): boolean {
    if (this.filter && !this.filter.shows(connection)) return false;
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

  #loadFilter(): void {
    // Should it fail to load, the list shows without a filter.
    this.#filterLoad ??= import('./status-filter.ts')
      .then((module) => new module.StatusFilter(this.#host, this.#services), () => false as const)
      .then((filter) => {
        this.filter = filter;
        this.#filterLoad = undefined;
        this.#host.requestUpdate();
      });
  }

  #loadWindowing(): void {
    // Should it fail to load, every row goes in the DOM, in slices: slower, but the list is whole.
    this.#windowingLoad ??= loadWindowing()
      .catch(() => false as const)
      .then((module) => {
        this.#windowing = module && new module.RowWindow(this.#host);
        this.#windowingLoad = undefined;
        this.#host.requestUpdate();
      });
  }
}
