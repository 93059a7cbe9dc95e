/**
 * An error that comes before the locale's strings: the list request fails at once (in a microtask), while the Dutch
 * strings are still a chunk on its way. The event's message must be the Dutch sentence the panel shows, not English.
 * A file of its own: in a page where another test has loaded the chunk already, the race cannot happen.
 */
import { expect } from '@open-wc/testing';
import { en } from '../../src/i18n/en.ts';
import nl from '../../src/i18n/nl.ts';
import { STUB_API, forgedToken, mount, restoreFetch, statePanel, stubFetch, text } from './support/helpers.ts';

afterEach(() => restoreFetch());

describe('an error before the locale has loaded', () => {
  it('fires its event in the locale, with the sentence the panel shows', async () => {
    const calls: string[] = [];
    stubFetch((call) => {
      if (call.url.origin !== STUB_API) return undefined;
      calls.push(call.url.pathname);
      throw new TypeError('Failed to fetch');
    });
    const { el, events } = await mount({ token: forgedToken(), unifyBaseUrl: STUB_API, locale: 'nl' });
    await events.waitFor('vault-connect-error');
    expect(calls).to.deep.equal(['/vault/connections']);
    expect(nl.errors.network_error).to.not.equal(en.errors.network_error);
    expect(events.errors).to.have.length(1);
    expect(events.errors[0]?.code).to.equal('network_error');
    expect(events.errors[0]?.message).to.equal(nl.errors.network_error);
    await el.updateComplete;
    expect(text(statePanel(el)?.querySelector('p'))).to.equal(nl.errors.network_error);
  });
});
