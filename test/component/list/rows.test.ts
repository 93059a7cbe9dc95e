import { expect } from '@open-wc/testing';
import type { Connection } from '../../../src/index.ts';
import { SEED_CONNECTOR_COUNT } from '../../../src/sandbox/seed.ts';
import {
  badge,
  mountSandbox,
  restoreFetch,
  row,
  rows,
  sandbox,
  sandboxApi,
  serviceIds,
  shadow,
  stubFetch,
  text,
  uniqueConsumer,
  until,
} from '../support/helpers.ts';

const SEED: Record<string, string[]> = {
  crm: ['salesforce', 'hubspot', 'pipedrive', 'zoho-crm', 'close', 'attio', 'copper'],
  accounting: ['quickbooks', 'xero', 'exact-online', 'myob', 'sage-intacct', 'freshbooks', 'netsuite'],
  hris: ['bamboohr', 'personio', 'bob', 'gusto', 'deel'],
  ats: ['greenhouse', 'lever', 'workable', 'teamtailor', 'ashby'],
  'file-storage': ['google-drive', 'dropbox', 'sharepoint', 'box', 'onedrive'],
};
const TITLES: Record<string, string> = { crm: 'CRM', accounting: 'Accounting', hris: 'HRIS', ats: 'ATS', 'file-storage': 'File storage' };

afterEach(restoreFetch);

describe('<vault-connect> list against the sandbox', () => {
  it('renders a row per connection, grouped by unified API, and fires vault-connect-ready once with the API’s list', async () => {
    const consumer = uniqueConsumer();
    const { el, events } = await mountSandbox({ consumer });

    // What the user sees: one section per unified API, in the API's order, each with its title and its rows.
    const groups = [...shadow(el).querySelectorAll<HTMLElement>('[part="group"]')];
    expect(groups.map((g) => g.dataset.unifiedApi)).to.deep.equal(Object.keys(SEED));
    for (const group of groups) {
      const api = group.dataset.unifiedApi ?? '';
      expect(group.hidden).to.be.false;
      expect(text(group.querySelector('[part="group-title"]'))).to.equal(TITLES[api]);
      const ids = [...group.querySelectorAll<HTMLElement>('[part="connection"]')].map((r) => r.dataset.serviceId);
      expect(ids, api).to.deep.equal(SEED[api]);
    }
    expect(rows(el)).to.have.length(SEED_CONNECTOR_COUNT);

    // A row shows the name, the tag line, the status and the actions.
    const salesforce = row(el, 'salesforce');
    expect(text(salesforce.querySelector('[part="name"]'))).to.equal('Salesforce');
    expect(text(salesforce.querySelector('[part="tag-line"]'))).to.match(/^CRM software solutions/);
    expect(badge(salesforce).dataset.status).to.equal('connected');
    expect(text(badge(salesforce))).to.equal('Connected');
    expect(salesforce.querySelector('[part="icon"] img')?.getAttribute('src')).to.match(/^data:image\/svg\+xml,/);

    // The event: once, bubbling and composed, with exactly what the API lists for this consumer.
    expect(events.ready).to.have.length(1);
    const readyEvent = events.all.find((e) => e.type === 'vault-connect-ready');
    expect(readyEvent?.bubbles).to.be.true;
    expect(readyEvent?.composed).to.be.true;
    const fromApi = await sandboxApi<Connection[]>(consumer, 'GET', '/vault/connections');
    const fired = events.ready[0].connections;
    expect(fired.map((c) => [c.unified_api, c.service_id, c.state, c.enabled])).to.deep.equal(
      fromApi.map((c) => [c.unified_api, c.service_id, c.state, c.enabled]),
    );
    expect(events.errors).to.deep.equal([]);

    // The search box is usable once the list is in.
    expect(shadow(el).querySelector<HTMLInputElement>('input[type="search"]')?.disabled).to.be.false;
  });

  it('does not fire vault-connect-ready again on refresh()', async () => {
    const { el, events } = await mountSandbox();
    await el.refresh();
    await el.refresh();
    expect(rows(el)).to.have.length(SEED_CONNECTOR_COUNT);
    expect(events.ready).to.have.length(1);
    expect(events.errors).to.deep.equal([]);
  });
});

describe('<vault-connect> list with unified-api', () => {
  it('unified-api="crm" asks the API for crm only and shows only the crm group', async () => {
    const spy = stubFetch();
    const { el, events } = await mountSandbox({ unifiedApi: 'crm' });
    const { vaultApiUrl } = await sandbox();
    const listCalls = spy.calls.filter((c) => c.url.origin === vaultApiUrl && c.url.pathname === '/vault/connections');
    expect(listCalls.map((c) => c.url.searchParams.get('api'))).to.deep.equal(['crm']);

    const groups = [...shadow(el).querySelectorAll<HTMLElement>('[part="group"]')];
    expect(groups.map((g) => g.dataset.unifiedApi)).to.deep.equal(['crm']);
    expect(text(groups[0].querySelector('[part="group-title"]'))).to.equal('CRM');
    expect(serviceIds(rows(el))).to.deep.equal(SEED.crm);
    expect(events.ready).to.have.length(1);
    expect(events.ready[0].connections.every((c) => c.unified_api === 'crm')).to.be.true;
    expect(events.ready[0].connections).to.have.length(SEED.crm.length);
  });

  it('reloads when unified-api changes', async () => {
    const { el, events } = await mountSandbox({ unifiedApi: 'crm' });
    el.setAttribute('unified-api', 'hris');
    await until(() => serviceIds(rows(el)).join() === SEED.hris.join(), 'the hris rows');
    expect([...shadow(el).querySelectorAll<HTMLElement>('[part="group"]')].map((g) => g.dataset.unifiedApi)).to.deep.equal(['hris']);
    el.removeAttribute('unified-api');
    await until(() => rows(el).length === SEED_CONNECTOR_COUNT, 'every row');
    expect(events.ready).to.have.length(1);
    expect(events.errors).to.deep.equal([]);
  });
});

describe('<vault-connect> list requests', () => {
  it('sends the Vault API the session’s JWT with Apideck’s headers, and asks session-url with POST {} once', async () => {
    const spy = stubFetch();
    const consumer = uniqueConsumer();
    await mountSandbox({ consumer });
    const { vaultApiUrl, applicationId } = await sandbox();
    const sessionCalls = spy.calls.filter((c) => c.url.pathname === '/__sandbox/session');
    expect(sessionCalls).to.have.length(1);
    expect(sessionCalls[0].method).to.equal('POST');
    expect(sessionCalls[0].body).to.equal('{}');
    expect(sessionCalls[0].credentials).to.equal('same-origin');
    const list = spy.calls.find((c) => c.url.origin === vaultApiUrl);
    // The Vault API is called with the session token only, never the host's cookies.
    expect(list?.credentials).to.equal('omit');
    expect(list?.headers.get('x-apideck-auth-type')).to.equal('JWT');
    expect(list?.headers.get('authorization')).to.match(/^Bearer ey/);
    expect(list?.headers.get('x-apideck-app-id')).to.equal(applicationId);
    expect(list?.headers.get('x-apideck-consumer-id')).to.equal(consumer);
  });
});
