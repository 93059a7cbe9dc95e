/**
 * The status filter above the list (`part="filter"`): a radio group of `all`, `connected`, `attention` and
 * `not_connected` (`data-filter`), each with its count among the rows the search matches. "Needs attention" holds every
 * status that asks the user to act; the VaultRE row counts by its own status. Keyboard: one Tab stop, the arrows move
 * and choose (reversed right-to-left), Home and End. The counts are announced politely once a search or a choice has
 * settled. Search and filter combine, in short and windowed lists.
 */
import { expect } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import type { Connection, VaultConnect } from '../../../src/index.ts';
import { STATUS_GROUPS } from '../../../src/internal/api/status-groups.ts';
import { CONNECTION_STATUSES } from '../../../src/internal/api/vocabulary.ts';
import { deepActive, describeActive, expectAccessibleInBothThemes } from '../support/a11y-helpers.ts';
import {
  announcement,
  badge,
  connection,
  filterBar,
  filterCounts,
  filterOption,
  jsonResponse,
  mount,
  mountWithList,
  numberedConnections,
  restoreFetch,
  row,
  rows,
  serviceIds,
  shadow,
  statePanel,
  STUB_API,
  errorResponse,
  stubFetch,
  text,
  typeInSearch,
  until,
  visibleRows,
} from '../support/helpers.ts';

const press = (key: string) => sendKeys({ press: key });

/** The statuses that ask the user to act: the list, by name. */
const ATTENTION = ['invalid', 'unauthorized', 'input_required', 'needs_reauth', 'expiring', 'pending_confirmation'];

/** One connection in each status (the badge is checked below, so a change in the status rules shows here). */
const EVERY_STATUS: Connection[] = [
  connection({ service_id: 'needs-config', integration_state: 'needs_configuration' }),
  connection({ service_id: 'invalid', state: 'invalid' }),
  connection({ service_id: 'available', state: 'available' }),
  connection({ service_id: 'disabled', enabled: false }),
  connection({ service_id: 'added', state: 'added' }),
  connection({ service_id: 'reauth', health: 'needs_auth' }),
  connection({ service_id: 'confirming', health: 'pending_confirmation' }),
  connection({ service_id: 'expiring', health: 'pending_refresh', credentials_expire_at: 1_900_000_000 }),
  connection({ service_id: 'input', state: 'authorized' }),
  connection({ service_id: 'degraded', health: 'degraded', last_downstream_error_at: 1_700_000_000 }),
  connection({ service_id: 'connected' }),
];
const STATUS_OF: Record<string, string> = {
  'needs-config': 'needs_configuration',
  invalid: 'invalid',
  available: 'not_connected',
  disabled: 'disabled',
  added: 'unauthorized',
  reauth: 'needs_reauth',
  confirming: 'pending_confirmation',
  expiring: 'expiring',
  input: 'input_required',
  degraded: 'degraded',
  connected: 'connected',
};

afterEach(restoreFetch);

async function choose(el: VaultConnect, group: string): Promise<void> {
  filterOption(el, group).click();
  await el.updateComplete;
}

function checked(el: VaultConnect): string[] {
  return [...filterBar(el)!.querySelectorAll<HTMLElement>('[aria-checked="true"]')].map((o) => o.dataset.filter ?? '');
}

describe('<vault-connect> status filter', () => {
  it('is a labelled radio group above the list, with the four options, each with its count', async () => {
    const { el } = await mountWithList(EVERY_STATUS);
    const bar = filterBar(el)!;
    expect(bar.getAttribute('part')).to.equal('filter');
    expect(bar.getAttribute('role')).to.equal('radiogroup');
    expect(bar.getAttribute('aria-label')).to.equal('Show');
    const options = [...bar.querySelectorAll<HTMLElement>('[data-filter]')];
    expect(options.map((o) => [o.dataset.filter, o.getAttribute('role'), text(o)])).to.deep.equal([
      ['all', 'radio', 'All 11'],
      ['connected', 'radio', 'Connected 2'],
      ['attention', 'radio', 'Needs attention 6'],
      ['not_connected', 'radio', 'Not connected 3'],
    ]);
    expect(checked(el)).to.deep.equal(['all']);
    // Above the list: before the first group.
    const first = shadow(el).querySelector('[part="group"]')!;
    expect(bar.compareDocumentPosition(first) & Node.DOCUMENT_POSITION_FOLLOWING).to.not.equal(0);
  });

  it('"Needs attention" holds every status that asks the user to act; each status counts in one option', async () => {
    const { el } = await mountWithList(EVERY_STATUS);
    for (const r of rows(el)) expect(badge(r).dataset.status, r.dataset.serviceId).to.equal(STATUS_OF[r.dataset.serviceId ?? '']);
    // The table covers every status, and its attention set is the issue's.
    expect(Object.keys(STATUS_GROUPS).sort()).to.deep.equal([...CONNECTION_STATUSES].sort());
    expect(CONNECTION_STATUSES.filter((s) => STATUS_GROUPS[s] === 'attention').sort()).to.deep.equal([...ATTENTION].sort());
    const expected = {
      connected: ['degraded', 'connected'],
      attention: ['invalid', 'added', 'reauth', 'confirming', 'expiring', 'input'],
      not_connected: ['needs-config', 'available', 'disabled'],
    };
    for (const [group, ids] of Object.entries(expected)) {
      await choose(el, group);
      expect(checked(el)).to.deep.equal([group]);
      expect(serviceIds(visibleRows(el)), group).to.deep.equal(ids);
    }
    await choose(el, 'all');
    expect(visibleRows(el)).to.have.length(EVERY_STATUS.length);
  });

  it('combines with the search: the counts are of the rows the search matches, and an empty option says so', async () => {
    const list = [
      connection({ service_id: 'salesforce', name: 'Salesforce' }),
      connection({ service_id: 'sage', name: 'Sage', state: 'invalid' }),
      connection({ service_id: 'hubspot', name: 'HubSpot', state: 'available' }),
    ];
    const { el } = await mountWithList(list);
    await typeInSearch(el, 'sa');
    expect(filterCounts(el)).to.deep.equal({ all: 2, connected: 1, attention: 1, not_connected: 0 });
    await choose(el, 'attention');
    expect(serviceIds(visibleRows(el))).to.deep.equal(['sage']);
    await choose(el, 'not_connected');
    expect(visibleRows(el)).to.have.length(0);
    expect(text(statePanel(el))).to.equal('No integrations match “sa”.');
    await typeInSearch(el, '');
    expect(serviceIds(visibleRows(el))).to.deep.equal(['hubspot']);
    await typeInSearch(el, 'zzz');
    await choose(el, 'all');
    await typeInSearch(el, '');
    // No search: the panel names the option that is empty.
    const { el: allConnected } = await mountWithList([list[0]]);
    await choose(allConnected, 'attention');
    expect(text(statePanel(allConnected))).to.equal('No integrations under “Needs attention”.');
  });

  it('with the keyboard: one Tab stop, the arrows move and choose, Home and End, right-to-left reversed', async () => {
    const { el } = await mountWithList(EVERY_STATUS);
    const options = () => [...filterBar(el)!.querySelectorAll<HTMLElement>('[data-filter]')];
    expect(options().map((o) => o.tabIndex)).to.deep.equal([0, -1, -1, -1]);
    filterOption(el, 'all').focus();
    const steps: string[] = [];
    for (const key of ['ArrowRight', 'ArrowDown', 'ArrowLeft', 'End', 'ArrowRight', 'Home', 'ArrowUp']) {
      await press(key);
      await el.updateComplete;
      steps.push(`${(deepActive() as HTMLElement).dataset.filter}:${checked(el).join()}`);
    }
    expect(steps).to.deep.equal([
      'connected:connected',
      'attention:attention',
      'connected:connected',
      'not_connected:not_connected',
      'all:all',
      'all:all',
      'not_connected:not_connected',
    ]);
    expect(options().map((o) => o.tabIndex)).to.deep.equal([-1, -1, -1, 0]);
    expect(serviceIds(visibleRows(el))).to.deep.equal(['needs-config', 'available', 'disabled']);

    el.setAttribute('dir', 'rtl');
    filterOption(el, 'all').click();
    await el.updateComplete;
    filterOption(el, 'all').focus();
    await press('ArrowLeft');
    await el.updateComplete;
    expect(checked(el), 'in right-to-left the next option is to the left').to.deep.equal(['connected']);
    await press('Space');
    expect(checked(el)).to.deep.equal(['connected']);
    expect(describeActive()).to.contain('Connected');
  });

  it('announces the counts politely once the search settles, not at every keystroke; and after a choice', async () => {
    const { el } = await mountWithList(EVERY_STATUS);
    expect(shadow(el).querySelectorAll('[aria-live]')).to.have.length(1);
    await typeInSearch(el, 'c');
    await typeInSearch(el, 'co');
    await typeInSearch(el, 'con');
    expect(announcement(el), 'nothing while typing').to.equal('');
    await until(() => announcement(el) !== '', 'the counts, once the search settles', 2000);
    expect(announcement(el)).to.equal('All 3, Connected 1, Needs attention 1, Not connected 1');
    await typeInSearch(el, '');
    await choose(el, 'attention');
    await until(() => announcement(el).startsWith('All 11'), 'the counts after a choice', 2000);
    expect(announcement(el)).to.equal('All 11, Connected 2, Needs attention 6, Not connected 3');
  });

  it('the VaultRE row counts by its own status and follows the search and the filter', async () => {
    const host = { connected: true as boolean, reason: undefined as string | undefined };
    const list = [connection({ service_id: 'salesforce', name: 'Salesforce' }), connection({ service_id: 'hubspot', state: 'available' })];
    const status = () => jsonResponse({ connected: host.connected, ...(host.reason ? { reason: host.reason } : {}) });
    const { el } = await mountWithList(list, { route: (call) => (call.url.pathname === '/api/vaultre' ? status() : undefined) });
    el.vaultreExchangeUrl = '/api/vaultre';
    await until(() => shadow(el).querySelector('[data-service-id="vaultre"][aria-busy="false"]'), 'the VaultRE row');
    await until(() => filterCounts(el).all === 3, 'the VaultRE row is counted');
    expect(filterCounts(el)).to.deep.equal({ all: 3, connected: 2, attention: 0, not_connected: 1 });
    const vaultreShown = () => !row(el, 'vaultre').closest<HTMLElement>('[part="group"]')!.hidden;
    await choose(el, 'not_connected');
    expect(vaultreShown()).to.equal(false);
    await choose(el, 'connected');
    expect(vaultreShown()).to.equal(true);
    await typeInSearch(el, 'sales');
    expect(vaultreShown(), 'the search covers it too').to.equal(false);
    await typeInSearch(el, 'vault');
    expect(vaultreShown()).to.equal(true);
    expect(statePanel(el), 'the VaultRE row is a match: no "nothing here" panel').to.equal(null);
    await typeInSearch(el, '');

    // Revoked at VaultRE: needs_reauth, so it needs attention.
    host.connected = false;
    host.reason = 'revoked';
    await el.refresh();
    await until(() => badge(row(el, 'vaultre')).dataset.status === 'needs_reauth', 'revoked');
    await until(() => filterCounts(el).attention === 1, 'counted under attention');
    await choose(el, 'attention');
    expect(vaultreShown()).to.equal(true);
  });

  it('filters a windowed list (over 200 rows) too', async () => {
    const list = numberedConnections(300).map((c, i) => (i % 3 === 0 ? { ...c, state: 'available' as const } : c));
    const { el } = await mountWithList(list);
    expect(filterCounts(el)).to.deep.equal({ all: 300, connected: 200, attention: 0, not_connected: 100 });
    await choose(el, 'not_connected');
    await el.updateComplete;
    expect(rows(el).length).to.be.greaterThan(0);
    for (const r of rows(el)) expect(badge(r).dataset.status).to.equal('not_connected');
    await typeInSearch(el, 'zebra');
    expect(filterCounts(el).all).to.equal(1);
    expect(rows(el)).to.have.length(0);
    expect(text(statePanel(el))).to.equal('No integrations match “zebra”.');
  });

  it('is not shown while the list loads, for an empty list, or after a load error', async () => {
    const { el: empty } = await mountWithList([]);
    expect(filterBar(empty)).to.equal(null);
    const { el: failed } = await mountWithList([], { route: (call) => (call.url.origin === STUB_API ? errorResponse(500, 'x', 'x', 'x') : undefined) });
    expect(statePanel(failed)?.getAttribute('role')).to.equal('alert');
    expect(filterBar(failed)).to.equal(null);
    stubFetch(() => new Promise(() => undefined));
    const { el: loading } = await mount({ token: 'x.y.z', unifyBaseUrl: 'https://unify.test' });
    expect(filterBar(loading)).to.equal(null);
  });

  it('is axe-clean, each option chosen, in light and dark', async () => {
    const { el } = await mountWithList(EVERY_STATUS);
    await choose(el, 'attention');
    await expectAccessibleInBothThemes(el, 'the filter on Needs attention');
    await choose(el, 'not_connected');
    await expectAccessibleInBothThemes(el, 'the filter on Not connected');
  });
});
