/**
 * The chunk a row's first click needs is fetched when the user reaches for the list (a pointer over it, or focus in
 * it), not on every page that only shows the list. (One test per file: a module, once loaded, stays loaded.)
 */
import { expect } from '@open-wc/testing';
import { connection, mountWithList, restoreFetch, row, until } from '../support/helpers.ts';

const requested = (name: string) => performance.getEntriesByType('resource').some((entry) => entry.name.includes(name));

describe('<vault-connect> prefetching the row interactions', () => {
  afterEach(restoreFetch);

  it('waits for a pointer over the list, then fetches the interactions and the actions', async () => {
    const { el } = await mountWithList([connection({ service_id: 'hubspot' }), connection({ service_id: 'pipedrive' })]);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(requested('row-interactions'), 'nothing fetched while the user only reads').to.equal(false);
    expect(requested('row-actions')).to.equal(false);
    row(el, 'pipedrive').dispatchEvent(new PointerEvent('pointerover', { bubbles: true, composed: true }));
    await until(() => requested('row-interactions') && requested('row-actions'), 'both chunks fetched');
  });
});
