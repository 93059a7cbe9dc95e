/**
 * The list request starts the windowing chunk's download: the chunk comes in while the reply is on its way, so a long
 * list is drawn as soon as it is parsed instead of after one more round trip. Shown with a reply held back until the
 * chunk has been asked for, then a short list, which is drawn as usual (every row in the DOM, not windowed). (Its own
 * file: a module, once loaded, stays loaded, and another test could have loaded it first.)
 */
import { expect } from '@open-wc/testing';
import { connection, forgedToken, gate, listResponse, mount, restoreFetch, rows, STUB_API, stubFetch, until } from './support/helpers.ts';

const requested = (name: string) => performance.getEntriesByType('resource').some((entry) => entry.name.includes(name));

describe('the windowing chunk', () => {
  afterEach(restoreFetch);

  it('is asked for with the list request, before the reply is in', async () => {
    expect(requested('windowed-rows'), 'not loaded before the test').to.equal(false);
    const reply = gate();
    const stub = stubFetch(async (call) => {
      if (call.url.origin !== STUB_API || call.url.pathname !== '/vault/connections') return undefined;
      await reply.promise;
      return listResponse([connection({ service_id: 'hubspot' }), connection({ service_id: 'pipedrive' })]);
    });
    const { el, events } = await mount({ token: forgedToken(), unifyBaseUrl: STUB_API });
    await until(() => stub.count('GET', '/vault/connections') === 1, 'the list request');
    await until(() => requested('windowed-rows'), 'the chunk asked for while the reply is held');
    expect(events.ready).to.have.length(0);

    reply.open();
    await until(() => events.ready.length > 0, 'the list');
    await el.updateComplete;
    expect(rows(el).map((row) => row.dataset['serviceId'])).to.deep.equal(['hubspot', 'pipedrive']);
    expect(el.shadowRoot?.querySelector('ul.windowed'), 'a short list is not windowed').to.equal(null);
    expect(events.errors).to.have.length(0);
  });
});
