import { expect } from '@open-wc/testing';
import { en } from '../../../src/i18n/en.ts';
import type { Connection } from '../../../src/index.ts';
import {
  actionsOf,
  badge,
  chooseAction,
  closeMenu,
  connection,
  connectionResponse,
  menuItem,
  mountWithList,
  offeredActions,
  openMenu,
  openMenuOf,
  restoreFetch,
  row,
  rows,
  text,
} from '../support/helpers.ts';

/** One crafted connection per case; each sets the fields that must lose to a rule of higher precedence. */
const CASES: { name: string; conn: Connection; status: string; label: string; tone: string; actions: string[] }[] = [
  {
    name: 'integration needs_configuration beats state invalid and enabled:false',
    conn: connection({ service_id: 'needs-config', integration_state: 'needs_configuration', state: 'invalid', enabled: false }),
    status: 'needs_configuration',
    label: 'Needs configuration',
    tone: 'warning',
    actions: [],
  },
  {
    name: 'state invalid beats enabled:false',
    conn: connection({ service_id: 'invalid', state: 'invalid', enabled: false }),
    status: 'invalid',
    label: 'Invalid configuration',
    tone: 'danger',
    actions: ['settings', 'reconnect', 'disconnect'],
  },
  {
    name: 'state available beats enabled:false',
    conn: connection({ service_id: 'available', state: 'available', enabled: false }),
    status: 'not_connected',
    label: 'Not connected',
    tone: 'neutral',
    actions: ['connect'],
  },
  {
    name: 'no state at all is not connected',
    conn: connection({ service_id: 'stateless', state: undefined }),
    status: 'not_connected',
    label: 'Not connected',
    tone: 'neutral',
    actions: ['connect'],
  },
  {
    name: 'enabled:false beats state added',
    conn: connection({ service_id: 'disabled-added', state: 'added', enabled: false }),
    status: 'disabled',
    label: 'Disabled',
    tone: 'neutral',
    actions: ['enable', 'settings', 'disconnect'],
  },
  {
    name: 'enabled:false beats state callable',
    conn: connection({ service_id: 'disabled', state: 'callable', enabled: false }),
    status: 'disabled',
    label: 'Disabled',
    tone: 'neutral',
    actions: ['enable', 'settings', 'disconnect'],
  },
  {
    name: 'state added is unauthorized',
    conn: connection({ service_id: 'added', state: 'added' }),
    status: 'unauthorized',
    label: 'Unauthorized',
    tone: 'warning',
    actions: ['connect', 'settings', 'disconnect'],
  },
  {
    name: 'state authorized is input required',
    conn: connection({ service_id: 'authorized', state: 'authorized' }),
    status: 'input_required',
    label: 'Input required',
    tone: 'warning',
    actions: ['settings', 'disable', 'disconnect'],
  },
  {
    name: 'state callable is connected',
    conn: connection({ service_id: 'callable', state: 'callable' }),
    status: 'connected',
    label: 'Connected',
    tone: 'success',
    actions: ['settings', 'reconnect', 'disable', 'disconnect'],
  },
  {
    name: 'a callable API-key connection cannot be re-authorized',
    conn: connection({ service_id: 'callable-key', state: 'callable', auth_type: 'apiKey' }),
    status: 'connected',
    label: 'Connected',
    tone: 'success',
    actions: ['settings', 'disable', 'disconnect'],
  },
  {
    name: 'an invalid basic-auth connection cannot be re-authorized',
    conn: connection({ service_id: 'invalid-basic', state: 'invalid', auth_type: 'basic' }),
    status: 'invalid',
    label: 'Invalid configuration',
    tone: 'danger',
    actions: ['settings', 'disconnect'],
  },
];

describe('<vault-connect> status badges (Apideck’s precedence)', () => {
  afterEach(restoreFetch);

  it('draws every status with its label, tone and actions, and reports the list in vault-connect-ready', async () => {
    const { el, events } = await mountWithList(CASES.map((c) => c.conn));
    expect(events.errors).to.deep.equal([]);
    expect(events.ready).to.have.length(1);
    expect(events.ready[0].connections.map((c) => c.service_id)).to.deep.equal(CASES.map((c) => c.conn.service_id));
    expect(rows(el)).to.have.length(CASES.length);
    for (const c of CASES) {
      const r = row(el, c.conn.service_id);
      expect(badge(r).dataset.status, c.name).to.equal(c.status);
      expect(text(badge(r)), c.name).to.equal(c.label);
      expect(badge(r).dataset.tone, c.name).to.equal(c.tone);
      // One visible button, the status's primary action; the others are in the More menu.
      const [primary, ...more] = c.actions;
      expect(actionsOf(r), c.name).to.deep.equal([...(primary ? [primary] : []), ...(more.length > 0 ? ['more'] : [])]);
      expect(await offeredActions(r), c.name).to.deep.equal(c.actions);
    }
  });

  it('explains why a row that needs configuration offers no action', async () => {
    const { el } = await mountWithList([CASES[0].conn]);
    const r = row(el, 'needs-config');
    expect(text(r)).to.contain(en.needsConfigurationHint);
    expect(r.querySelectorAll('button')).to.have.length(0);
  });

  it('labels each button and menu item with its verb and the connection’s name', async () => {
    const { el } = await mountWithList([connection({ service_id: 'acme', name: 'Acme CRM', state: 'callable' })]);
    const label = (b: HTMLElement) => [text(b), b.getAttribute('aria-label')];
    expect([...row(el, 'acme').querySelectorAll('button')].map(label)).to.deep.equal([
      ['Settings', 'Settings Acme CRM'],
      ['···', 'More actions for Acme CRM'],
    ]);
    expect((await openMenu(row(el, 'acme'))).map(label)).to.deep.equal([
      ['Reconnect', 'Reconnect Acme CRM'],
      ['Disable', 'Disable Acme CRM'],
      ['Disconnect', 'Disconnect Acme CRM'],
    ]);
    expect(openMenuOf(row(el, 'acme'))?.getAttribute('aria-label')).to.equal('More actions for Acme CRM');
  });

  it('falls back to the service id when a connection has no name, and titles unknown unified APIs', async () => {
    const { el } = await mountWithList([connection({ service_id: 'nameless', name: '  ', unified_api: 'issue_tracking' })]);
    expect(text(row(el, 'nameless').querySelector('[part="name"]'))).to.equal('nameless');
    expect(text(el.shadowRoot?.querySelector('[part="group-title"]'))).to.equal('Issue tracking');
  });

  it('a service under two unified APIs gets a row in each group, and each row acts on its own connection', async () => {
    const crm = connection({ service_id: 'acme', unified_api: 'crm', name: 'Acme' });
    const accounting = connection({ service_id: 'acme', unified_api: 'accounting', name: 'Acme' });
    const { el, events, stub } = await mountWithList([crm, accounting], {
      route: (call) => (call.method === 'PATCH' ? connectionResponse({ ...accounting, enabled: false, updated_at: 2 }) : undefined),
    });
    expect(rows(el).map((r) => r.closest<HTMLElement>('[part="group"]')?.dataset.unifiedApi)).to.deep.equal(['crm', 'accounting']);
    // Each row shows its own name; its buttons carry it in their labels.
    for (const r of rows(el)) expect(text(r.querySelector('[part="name"]'))).to.equal('Acme');
    expect((await menuItem(row(el, 'acme', 'crm'), 'disable')).getAttribute('aria-label')).to.equal('Disable Acme');
    await closeMenu(row(el, 'acme', 'crm'));

    await chooseAction(row(el, 'acme', 'accounting'), 'disable');
    await events.waitFor('vault-connection-change');
    await el.updateComplete;
    expect(stub.calls.filter((c) => c.method === 'PATCH').map((c) => c.url.pathname)).to.deep.equal(['/vault/connections/accounting/acme']);
    expect(badge(row(el, 'acme', 'accounting')).dataset.status).to.equal('disabled');
    expect(badge(row(el, 'acme', 'crm')).dataset.status).to.equal('connected');
    expect(events.changes[0].unified_api).to.equal('accounting');
  });
});
