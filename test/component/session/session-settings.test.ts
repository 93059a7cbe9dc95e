/**
 * The session's `settings` as Apideck's own UI honours them (docs/session-settings.md): `unified_apis` restricts the
 * list, `sandbox_mode` shows a "Sandbox" marker; against the sandbox's real sessions too.
 */
import { expect } from '@open-wc/testing';
import {
  connection,
  mountSandbox,
  mountWithList,
  restoreFetch,
  rows,
  shadow,
  text,
} from '../support/helpers.ts';

const LIST = [
  connection({ service_id: 'salesforce', unified_api: 'crm' }),
  connection({ service_id: 'xero', unified_api: 'accounting' }),
  connection({ service_id: 'bamboohr', unified_api: 'hris' }),
];

const groupsOf = (el: Element) =>
  [...(el.shadowRoot?.querySelectorAll<HTMLElement>('[part="group"]') ?? [])].map((group) => group.dataset.unifiedApi);

function marker(el: Element): HTMLElement | null {
  return el.shadowRoot?.querySelector<HTMLElement>('[part="sandbox-marker"]') ?? null;
}

describe('<vault-connect> session settings', () => {
  afterEach(restoreFetch);

  it('unified_apis shows only those unified APIs, in vault-connect-ready too', async () => {
    const { el, events } = await mountWithList(LIST, { claims: { settings: { unified_apis: ['crm', 'hris'] } } });
    expect(groupsOf(el)).to.deep.equal(['crm', 'hris']);
    expect(rows(el).map((r) => r.dataset.serviceId)).to.deep.equal(['salesforce', 'bamboohr']);
    expect(events.ready[0].connections.map((c) => c.service_id)).to.deep.equal(['salesforce', 'bamboohr']);
  });

  it('an empty or absent unified_apis shows every unified API', async () => {
    for (const settings of [{ unified_apis: [] }, {}, null]) {
      const { el } = await mountWithList(LIST, { claims: { settings } });
      expect(groupsOf(el), JSON.stringify(settings)).to.deep.equal(['crm', 'accounting', 'hris']);
      el.remove();
    }
  });

  it('unified-api and unified_apis together: only what both allow', async () => {
    // The API answers `?api=accounting` with that API's connections; the session allows only crm.
    const accounting = LIST.filter((c) => c.unified_api === 'accounting');
    const { el, stub } = await mountWithList(accounting, { unifiedApi: 'accounting', claims: { settings: { unified_apis: ['crm'] } } });
    expect(stub.calls.find((c) => c.url.pathname === '/vault/connections')?.url.searchParams.get('api')).to.equal('accounting');
    expect(rows(el)).to.have.length(0);
    expect(text(shadow(el).querySelector('[part="state"]'))).to.equal('No integrations are available yet.');
  });

  it('sandbox_mode shows a Sandbox marker beside the search box, in the element’s language', async () => {
    const { el } = await mountWithList(LIST, { claims: { settings: { sandbox_mode: true } } });
    const found = marker(el);
    expect(found).to.not.equal(null);
    expect(text(found)).to.equal('Sandbox');
    expect(found?.closest('.toolbar')).to.not.equal(null);
    expect(found?.checkVisibility()).to.be.true;
    el.locale = 'nl';
    await el.updateComplete;
    expect(text(marker(el))).to.equal('Testomgeving');
  });

  it('no marker without sandbox_mode, or with any value but true', async () => {
    for (const settings of [{}, { sandbox_mode: false }]) {
      const { el } = await mountWithList(LIST, { claims: { settings } });
      expect(marker(el), JSON.stringify(settings)).to.equal(null);
      el.remove();
    }
    // Not a boolean: the session is malformed, as any claim of the wrong type makes it.
    const { el, events } = await mountWithList(LIST, { claims: { settings: { sandbox_mode: 'yes' } } });
    expect(events.errors.map((e) => e.code)).to.deep.equal(['session_failed']);
    expect(marker(el)).to.equal(null);
  });

  it('against the sandbox: a real session with unified_apis and sandbox_mode', async () => {
    const { el } = await mountSandbox({ settings: { unified_apis: ['hris'], sandbox_mode: true } });
    expect(groupsOf(el)).to.deep.equal(['hris']);
    expect(rows(el).length).to.be.greaterThan(0);
    expect(text(marker(el))).to.equal('Sandbox');
  });
});
