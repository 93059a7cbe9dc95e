/** A group of rows for one unified API: its section, heading and list (a windowed list draws the same markup). */
import { html, type TemplateResult } from 'lit';
import type { ListStrings } from '../../i18n/en-list.ts';

/** A group's heading: the locale's title for its unified API, else one made from its id (`file-storage` → "File storage"). */
export function groupTitle(strings: ListStrings, unifiedApi: string): string {
  const titles = strings.unifiedApi;
  return (Object.hasOwn(titles, unifiedApi) && titles[unifiedApi]) || unifiedApi.replace(/[-_]/g, ' ').replace(/^./, (c) => c.toUpperCase());
}

/**
 * One group. Its heading's id is by position, not by name: any string can be a unified API (encodeURIComponent threw on
 * a lone surrogate).
 */
export function renderGroup(index: number, unifiedApi: string, title: string, hidden: boolean, rows: unknown): TemplateResult {
  const titleId = `group-${index}`;
  return html`<section part="group" data-unified-api=${unifiedApi} ?hidden=${hidden} aria-labelledby=${titleId}>
    <h3 part="group-title" id=${titleId}>${title}</h3>
    <ul>${rows}</ul>
  </section>`;
}
