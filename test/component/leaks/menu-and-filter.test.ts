/**
 * Leaks of the rows' More menu and the status filter: a menu open (its page listeners for a press outside, scroll and
 * resize) and a counts announcement still waiting for the search to settle (a timer) go when the element goes.
 */
import { probe } from '../support/leak-probe.ts';
import { expect } from '@open-wc/testing';
import { connection, mountWithList, openMenu, restoreFetch, row, typeInSearch } from '../support/helpers.ts';

const LIST = [connection({ service_id: 'salesforce' }), connection({ service_id: 'hubspot', state: 'available' })];

afterEach(restoreFetch);

describe('<vault-connect> More menu and status filter leave nothing behind', () => {
  it('an open menu and a pending counts announcement are released when the element is removed', async () => {
    // Warm up once (the chunks load, their module-level work is done), then count from a settled page.
    const warm = await mountWithList(LIST);
    await openMenu(row(warm.el, 'salesforce'));
    warm.el.remove();
    restoreFetch();
    await new Promise((resolve) => setTimeout(resolve, 700));
    const before = probe.counts();
    const mark = probe.mark();

    const { el } = await mountWithList(LIST);
    await openMenu(row(el, 'salesforce'));
    await typeInSearch(el, 'sales');
    const open = probe.counts();
    expect(open.timeouts, 'the announcement waits for the search to settle').to.be.above(before.timeouts);
    expect(open.documentListeners, 'the press-outside listener').to.be.above(before.documentListeners);
    expect(open.windowListeners, 'scroll and resize').to.be.above(before.windowListeners);
    el.remove();
    restoreFetch();
    // What the element registered since the mark and still holds (the test's own waits are the helpers').
    const held = () => probe.since(mark).filter((line) => line.includes('/src/') && !line.includes('/node_modules/'));
    // Sooner than the announcement would have fired (600 ms after the last keystroke): the element cleared its timer.
    await probe.waitFor(() => held().length === 0, 'the menu’s listeners and the announcement’s timer to go', 300).catch(() => undefined);
    expect(held()).to.deep.equal([]);
    const after = probe.counts();
    expect([after.documentListeners, after.windowListeners]).to.deep.equal([before.documentListeners, before.windowListeners]);
  });
});
