/**
 * A list too long for one render but short enough to keep every row in the DOM (up to 200 rows; longer lists are
 * windowed, see windowed-list.test.ts) renders in slices: the first screenful at once and painted, then the rest. Every
 * row still arrives, search covers rows not drawn yet, `updateComplete` and `vault-connect-ready` wait for the last row,
 * and a change to one row does not take the others away.
 */
import { expect } from '@open-wc/testing';
import {
  chooseAction,
  connectionResponse,
  forgedToken,
  listResponse,
  mount,
  mountWithList,
  numberedConnections,
  restoreFetch,
  row,
  rows,
  shadow,
  STUB_API,
  stubFetch,
  text,
  typeInSearch,
  visibleRows,
} from '../support/helpers.ts';

const COUNT = 200;
const list = numberedConnections(COUNT);

describe('<vault-connect> long list drawn in slices', () => {
  afterEach(restoreFetch);

  it('draws the first slice in the first render, then every row; ready and updateComplete wait for the last one', async () => {
    const { el, events } = await mountWithList(list);
    // mountWithList awaited ready and updateComplete: by then every row is in.
    expect(events.ready).to.have.length(1);
    expect(rows(el)).to.have.length(COUNT);
    expect(row(el, `svc-${COUNT - 1}`).dataset.serviceId).to.equal(`svc-${COUNT - 1}`);
  });

  it('the first render after the list arrives holds only the first slice (the rest follows task by task)', async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    stubFetch(async (call) => {
      if (call.url.origin !== STUB_API || call.url.pathname !== '/vault/connections') return undefined;
      await held;
      return listResponse(list);
    });
    const { el, events } = await mount({ token: forgedToken(), unifyBaseUrl: STUB_API });
    const drawn: number[] = [];
    let atNextFrame: number | undefined;
    const observer = new MutationObserver(() => {
      drawn.push(rows(el).length);
      if (drawn.at(-1)! > 0 && atNextFrame === undefined) {
        atNextFrame = -1;
        requestAnimationFrame(() => (atNextFrame = rows(el).length));
      }
    });
    observer.observe(shadow(el), { childList: true, subtree: true });
    release();
    await until(() => events.ready.length > 0);
    observer.disconnect();
    const firstWithRows = drawn.find((n) => n > 0);
    expect(firstWithRows, 'rows in the first slice').to.be.greaterThan(0).and.lessThan(COUNT);
    expect(drawn.at(-1), 'the rest followed').to.equal(COUNT);
    // The next slice waits for the frame that paints the first one (a plain timeout would run before that frame).
    expect(atNextFrame, 'rows when the frame after the first slice begins').to.equal(firstWithRows);
    expect(rows(el)).to.have.length(COUNT);
  });

  it('search finds a row at the end of the list', async () => {
    const { el } = await mountWithList(list);
    await typeInSearch(el, 'zebra');
    expect(visibleRows(el).map((r) => r.dataset.serviceId)).to.deep.equal([`svc-${COUNT - 1}`]);
    await typeInSearch(el, '');
    expect(visibleRows(el)).to.have.length(COUNT);
  });

  it('a change to one row keeps every other row in place (no re-slicing)', async () => {
    const last = `svc-${COUNT - 1}`;
    const { el } = await mountWithList(list, {
      route: (call) =>
        call.method === 'PATCH' ? connectionResponse({ ...list[COUNT - 1], enabled: false }) : undefined,
    });
    const before = row(el, 'svc-100');
    await chooseAction(row(el, last), 'disable');
    await new Promise((resolve) => setTimeout(resolve, 50));
    await el.updateComplete;
    await until(() => text(row(el, last).querySelector('[part="badge"]')) === 'Disabled');
    expect(rows(el)).to.have.length(COUNT);
    expect(row(el, 'svc-100'), 'the same element, not redrawn').to.equal(before);
  });
});

async function until(predicate: () => boolean): Promise<void> {
  const end = performance.now() + 5000;
  while (!predicate()) {
    if (performance.now() > end) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
