import { expect } from '@open-wc/testing';
import { en } from '../../../src/i18n/en.ts';
import {
  STUB_API,
  connection,
  errorResponse,
  forgedToken,
  gate,
  listResponse,
  mount,
  mountWithList,
  restoreFetch,
  rows,
  shadow,
  statePanel,
  stubFetch,
  text,
  until,
} from '../support/helpers.ts';

describe('<vault-connect> loading, empty and error states', () => {
  afterEach(restoreFetch);

  it('shows a loading skeleton while the list request is pending', async () => {
    const held = gate();
    stubFetch((call) => (call.url.origin === STUB_API ? held.promise.then(() => listResponse([connection({ service_id: 'salesforce' })])) : undefined));
    const { el, events } = await mount({ token: forgedToken(), unifyBaseUrl: STUB_API });

    const skeleton = shadow(el).querySelector('ul[aria-busy="true"]');
    expect(skeleton, 'the skeleton list').to.not.equal(null);
    expect(skeleton?.getAttribute('aria-label')).to.equal(en.loading);
    expect(skeleton?.querySelectorAll('li.skeleton[aria-hidden="true"]').length).to.be.greaterThan(0);
    expect(shadow(el).querySelector<HTMLInputElement>('input[type="search"]')?.disabled).to.be.true;
    expect(rows(el)).to.have.length(0);
    expect(events.all).to.deep.equal([]);

    held.open();
    await events.waitFor('vault-connect-ready');
    await el.updateComplete;
    expect(shadow(el).querySelector('.skeleton')).to.equal(null);
    expect(rows(el)).to.have.length(1);
    expect(shadow(el).querySelector<HTMLInputElement>('input[type="search"]')?.disabled).to.be.false;
  });

  it('shows the empty state when the API returns data: []', async () => {
    const { el, events } = await mountWithList([]);
    expect(text(statePanel(el))).to.equal(en.empty);
    expect(statePanel(el)?.getAttribute('role')).to.equal(null);
    expect(rows(el)).to.have.length(0);
    expect(events.errors).to.deep.equal([]);
    expect(events.ready).to.have.length(1);
    expect(events.ready[0].connections).to.deep.equal([]);
  });

  it('shows the error state with a retry button that reloads successfully on the second try', async () => {
    let attempts = 0;
    const { el, events } = await mountWithList([], {
      route: (call) => {
        if (call.url.origin !== STUB_API) return undefined;
        attempts++;
        return attempts === 1
          ? errorResponse(500, 'Internal Server Error', 'UnexpectedError', 'Unexpected error')
          : listResponse([connection({ service_id: 'salesforce' }), connection({ service_id: 'hubspot' })]);
      },
    });
    expect(events.errors).to.have.length(1);
    expect(events.errors[0]).to.include({ code: 'api_error', retryable: true });
    expect(events.ready).to.have.length(0);
    const retry = statePanel(el)?.querySelector<HTMLButtonElement>('button[data-action="retry"]');
    expect(text(retry)).to.equal(en.action.retry);

    retry?.click();
    await events.waitFor('vault-connect-ready');
    await el.updateComplete;
    expect(attempts).to.equal(2);
    expect(rows(el).map((r) => r.dataset.serviceId)).to.deep.equal(['salesforce', 'hubspot']);
    expect(statePanel(el)).to.equal(null);
    // The first list rendered now: ready fires once, with it; no new error.
    expect(events.ready).to.have.length(1);
    expect(events.ready[0].connections.map((c) => c.service_id)).to.deep.equal(['salesforce', 'hubspot']);
    expect(events.errors).to.have.length(1);
  });

  it('a failed refresh() after a good list shows the error, and the next refresh() the list again', async () => {
    let fail = false;
    const { el, events } = await mountWithList([], {
      route: (call) => {
        if (call.url.origin !== STUB_API) return undefined;
        return fail ? Promise.reject(new TypeError('Failed to fetch')) : listResponse([connection({ service_id: 'salesforce' })]);
      },
    });
    expect(rows(el)).to.have.length(1);
    fail = true;
    await el.refresh();
    await el.updateComplete;
    expect(events.errors.map((e) => e.code)).to.deep.equal(['network_error']);
    expect(text(statePanel(el))).to.contain(en.errors.network_error);
    fail = false;
    await el.refresh();
    await el.updateComplete;
    await until(() => rows(el).length === 1, 'the list is back');
    expect(events.ready).to.have.length(1);
  });

  it('detached while loading: nothing fires; attached again: it loads', async () => {
    const held = gate();
    stubFetch((call) => (call.url.origin === STUB_API ? held.promise.then(() => listResponse([connection({ service_id: 'salesforce' })])) : undefined));
    const { el, events } = await mount({ token: forgedToken(), unifyBaseUrl: STUB_API });
    const parent = el.parentElement;
    el.remove();
    held.open();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(events.all).to.deep.equal([]);
    parent?.append(el);
    await events.waitFor('vault-connect-ready');
    await el.updateComplete;
    expect(rows(el)).to.have.length(1);
    expect(events.errors).to.deep.equal([]);
  });
});
