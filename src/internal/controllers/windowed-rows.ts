/**
 * Windowing for long lists (its own chunk, loaded only when a list is longer than `WINDOWED_FROM` rows): each group's
 * `<ul>` holds only the rows near the viewport, in normal flow, with padding standing in for the rows above and below,
 * so the list is as tall as all its rows and scrolls with the page. Search filters the rows handed in, so it covers
 * every row; each drawn row carries `aria-posinset` / `aria-setsize`, so a screen reader still hears "12 of 480"; the
 * row that holds focus stays drawn while it is scrolled a little away (see `KEEP_FOCUSED`).
 *
 * Why not `@lit-labs/virtualizer`: measured on the benchmark page (`bench/experiments.ts`), it drew the first rows of a
 * 1,000-row list about 70 ms later than this (it positions rows absolutely, then corrects them over several passes
 * after ResizeObserver measures them), each first layout raised a "ResizeObserver loop" error on the host page's
 * `window`, and it is a 9.6 kB chunk. Rows here stay in normal flow, so the drawn rows are always laid out right; only
 * the padding is estimated until the rows it stands for have been drawn once.
 */
import { html, type ReactiveController, type ReactiveControllerHost, type TemplateResult } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import { connectionKey } from '../api/connection-status.ts';
import type { Connection } from '../api/schemas.ts';
import { filterVersion } from './filter-version.ts';

/** Height assumed for a row never drawn (px): the average of the rows drawn so far replaces it. */
const ROW_GUESS = 66;
/** Space assumed above a group's list: its heading and margins (px), until measured. */
const HEADING_GUESS = 44;
/** Rows are drawn this far (px) above and below the viewport, so a scroll or a Tab finds them already there. */
const OVERHANG = 600;
/** How many rows beyond the drawn ones the focused row may be and still be kept drawn (with those in between). */
const KEEP_FOCUSED = 60;

export interface WindowedGroupsView {
  /** Whether a connection matches the search and the filter. */
  matches(connection: Connection): boolean;
  /** One row (an `<li>` with `data-key`). */
  row(connection: Connection): TemplateResult;
  /** A group's heading. */
  title(unifiedApi: string): string;
}

type Host = ReactiveControllerHost & HTMLElement & { readonly renderRoot: HTMLElement | DocumentFragment };

/** One group as last drawn: its matching rows, the slice in the DOM, and the heights its padding stands for. */
interface DrawnGroup {
  rows: readonly Connection[];
  first: number;
  last: number;
  before: number;
  after: number;
}

export class RowWindow implements ReactiveController {
  readonly #host: Host;
  /** Measured heights of rows drawn at least once, by connection key. */
  readonly #heights = new Map<string, number>();
  #average = ROW_GUESS;
  /** Measured space from the top of the list to its first group's rows, and from one group's rows to the next's. */
  #lead = HEADING_GUESS;
  #between = HEADING_GUESS;
  /** Each group's matching rows, kept while neither the groups nor the query change. */
  #matching: { groups: readonly [string, Connection[]][]; needle: string; filter: number; lists: Connection[][] } | undefined;
  #drawn: DrawnGroup[] = [];
  #frame = 0;
  /** Renders in a row that found the viewport not covered: bounded, for an element that is not laid out (hidden). */
  #corrections = 0;
  /** Whether the window's scroll and resize reach this controller: only while a windowed list is drawn. */
  #listening = false;

  constructor(host: Host) {
    this.#host = host;
    host.addController(this);
  }

  hostConnected(): void {
    // Back in a page (moved, say) with the windowed list it had: follow the scroll again.
    this.#listen(this.#lists().length > 0);
  }

  hostDisconnected(): void {
    this.#listen(false);
  }

  #listen(on: boolean): void {
    if (on === this.#listening) return;
    this.#listening = on;
    if (on) {
      // Capture: a scrolling ancestor's scroll does not bubble, but passes the window on its way down.
      window.addEventListener('scroll', this, { capture: true, passive: true });
      window.addEventListener('resize', this, { passive: true });
      return;
    }
    window.removeEventListener('scroll', this, { capture: true });
    window.removeEventListener('resize', this);
    cancelAnimationFrame(this.#frame);
    this.#frame = 0;
  }

  /** Scroll and resize: at most one check a frame. */
  handleEvent(event: Event): void {
    // A narrower or wider page wraps rows differently: measure them again.
    if (event.type === 'resize') this.#heights.clear();
    this.#frame ||= requestAnimationFrame(() => {
      this.#frame = 0;
      this.#corrections = 0;
      if (!this.#covered()) this.#host.requestUpdate();
    });
  }

  /** After each render: measure the drawn rows, number them, and draw again if they fall short of the viewport. */
  hostUpdated(): void {
    const lists = this.#lists();
    // A later list that is short (or an error) is drawn without windowing: stop following the scroll until one is long.
    this.#listen(this.#host.isConnected && lists.length > 0);
    if (lists.length !== this.#drawn.length) return;
    let total = 0;
    let count = 0;
    lists.forEach((list, index) => {
      const { first, rows, before, after } = this.#drawn[index];
      // Through the CSSOM, which a `style-src` without 'unsafe-inline' allows (a style attribute it would refuse).
      list.style.paddingBlock = `${before}px ${after}px`;
      let position = first;
      for (const row of list.children) {
        const key = (row as HTMLElement).dataset.key;
        if (key === undefined) continue;
        const height = row.getBoundingClientRect().height;
        if (height > 0) {
          this.#heights.set(key, height);
          total += height;
          count++;
        }
        row.setAttribute('aria-posinset', String(++position));
        row.setAttribute('aria-setsize', String(rows.length));
      }
    });
    if (count > 0) this.#average = total / count;
    // Where the groups' lists sit, to place them without reading the layout of the last render (stale after a search).
    const shown = lists.filter((list) => list.offsetParent !== null);
    const top = this.#host.renderRoot.querySelector('.list')?.getBoundingClientRect().top;
    if (shown.length > 0 && top !== undefined) this.#lead = shown[0].getBoundingClientRect().top - top;
    if (shown.length > 1) this.#between = shown[1].getBoundingClientRect().top - shown[0].getBoundingClientRect().bottom;
    if (this.#covered()) this.#corrections = 0;
    else if (this.#corrections++ < 3) this.#host.requestUpdate();
  }

  /**
   * The groups of a long list, as the element draws them, with each group's rows windowed. The rows that match the
   * search (`needle`) and the status filter are kept while the groups, the search and the filter's choice stay.
   */
  sections(groups: readonly [string, Connection[]][], needle: string, view: WindowedGroupsView): TemplateResult[] {
    const filter = filterVersion(this.#host);
    if (this.#matching?.groups !== groups || this.#matching.needle !== needle || this.#matching.filter !== filter) {
      this.#matching = { groups, needle, filter, lists: groups.map(([, rows]) => rows.filter((c) => view.matches(c))) };
    }
    const { lists } = this.#matching;
    const focusedKey = (this.#host.renderRoot as ShadowRoot).activeElement?.closest<HTMLElement>('[data-key]')?.dataset.key;
    // Where each group's list will be, from the top of the whole list (or, before the first render, the toolbar's
    // bottom) and the measured space around the groups; the viewport is then placed in each list's coordinates.
    const list = this.#host.renderRoot.querySelector('.list');
    const toolbar = this.#host.renderRoot.querySelector('.toolbar');
    let top = (list ? list.getBoundingClientRect().top : (toolbar?.getBoundingClientRect().bottom ?? 0)) + this.#lead;
    this.#drawn = [];
    return groups.map(([unifiedApi], index) => {
      const rows = lists[index];
      const listTop = top;
      const from = -OVERHANG - listTop;
      const to = window.innerHeight + OVERHANG - listTop;
      // Each row's top within its list (tops[n] is the list's height).
      const tops = [0];
      let first = -1;
      let last = -1;
      let focused = -1;
      rows.forEach((connection, i) => {
        const key = connectionKey(connection);
        const y = tops[i];
        const height = this.#heights.get(key) ?? this.#average;
        tops.push(y + height);
        if (y + height > from && y < to) {
          if (first < 0) first = i;
          last = i;
        }
        if (key === focusedKey) focused = i;
      });
      // The focused row stays drawn while it is near: removing it would drop focus to the page. Far away (a mouse
      // user scrolled on), keeping it would mean drawing every row in between.
      if (focused >= 0 && (first < 0 || Math.abs(focused - (focused < first ? first : last)) <= KEEP_FOCUSED)) {
        first = first < 0 ? focused : Math.min(first, focused);
        last = Math.max(last, focused);
      }
      const height = tops[rows.length];
      if (rows.length > 0) top = listTop + height + this.#between;
      this.#drawn.push({ rows, first, last, before: first < 0 ? 0 : tops[first], after: first < 0 ? height : height - tops[last + 1] });
      const slice = first < 0 ? [] : rows.slice(first, last + 1);
      // The same section as a short list's (`renderGroup`), so parts, headings and hooks do not change; a template of
      // its own, so a list that stops being windowed gets a fresh `<ul>` without the padding set here.
      const titleId = `group-${index}`;
      return html`<section part="group" data-unified-api=${unifiedApi} ?hidden=${rows.length === 0} aria-labelledby=${titleId}>
        <h3 part="group-title" id=${titleId}>${view.title(unifiedApi)}</h3>
        <ul class="windowed">${repeat(slice, connectionKey, (connection) => view.row(connection))}</ul>
      </section>`;
    });
  }

  #lists(): HTMLElement[] {
    return [...this.#host.renderRoot.querySelectorAll<HTMLElement>('ul.windowed')];
  }

  /** Whether the drawn rows of every group still reach half an overhang beyond the viewport (or the group's ends). */
  #covered(): boolean {
    const lists = this.#lists();
    if (lists.length !== this.#drawn.length) return lists.length === 0;
    const low = -OVERHANG / 2;
    const high = window.innerHeight + OVERHANG / 2;
    return lists.every((list, index) => {
      const { first, last, rows } = this.#drawn[index];
      const box = list.getBoundingClientRect();
      // A group wholly outside the band needs nothing drawn; one inside must be drawn from where the band begins to
      // where it ends (or to its own first and last rows).
      if (box.bottom < low || box.top > high || rows.length === 0) return true;
      if (first < 0) return false;
      const drawn = [...list.children].filter((child) => (child as HTMLElement).dataset.key !== undefined);
      const start = drawn[0]?.getBoundingClientRect().top ?? box.top;
      const end = drawn.at(-1)?.getBoundingClientRect().bottom ?? box.top;
      return (first === 0 || start <= low) && (last === rows.length - 1 || end >= high);
    });
  }
}
