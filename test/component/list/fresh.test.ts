/**
 * Fresh without a reload: the list is read again quietly (no skeleton, rows changed in place) when the page becomes
 * visible after a minute or more hidden, or the window regains focus after 30 s or more away; then change and delete
 * events say what changed. Time is a fake clock and visibility is set by the test: nothing waits for real.
 */
import { expect } from '@open-wc/testing';
import type { Connection } from '../../../src/index.ts';
import { installFakeClock, restoreVisibility, setVisibility, setWindowFocus, type FakeClock } from '../support/fake-clock.ts';
import {
  badge,
  chooseAction,
  connection,
  connectionResponse,
  errorResponse,
  type FetchStub,
  gate,
  listResponse,
  mountSandbox,
  mountWithList,
  restoreFetch,
  row,
  rows,
  sandboxApi,
  shadow,
  STUB_API,
  until,
} from '../support/helpers.ts';

const MINUTE = 60_000;

let clock: FakeClock;

beforeEach(() => {
  clock = installFakeClock();
});

afterEach(() => {
  clock.restore();
  restoreVisibility();
  restoreFetch();
});

/** How many times the list was requested. */
const listReads = (stub: FetchStub) => stub.count('GET', '/vault/connections');

/** A list the test can change between reads, hold back (`hold`) or make fail (`fail`). */
function liveList(initial: Connection[]) {
  const state: { list: Connection[]; hold?: Promise<void>; fail?: boolean } = { list: initial };
  const answer = () =>
    state.fail ? errorResponse(503, 'Service Unavailable', 'ServiceUnavailableError', 'Down for maintenance') : listResponse(state.list);
  return {
    state,
    route: (call: { url: URL; method: string }) => {
      if (call.url.origin !== STUB_API || call.method !== 'GET' || call.url.pathname !== '/vault/connections') return undefined;
      return state.hold ? state.hold.then(answer) : answer();
    },
  };
}

/** Mounts and waits until the freshness chunk listens (loaded once the first list is shown). */
async function mountLive(initial: Connection[]) {
  const live = liveList(initial);
  const mounted = await mountWithList(initial, { route: live.route });
  // The element imports its freshness chunk after vault-connect-ready: once the module is in (this import shares it),
  // a task later its controller listens.
  await import('../../../src/internal/controllers/freshness.ts');
  await new Promise((resolve) => setTimeout(resolve));
  return { ...mounted, live };
}

describe('<vault-connect> fresh without a reload', () => {
  it('visible after a minute hidden: reads the list again without a skeleton, rows change in place, events say what changed', async () => {
    const salesforce = connection({ service_id: 'salesforce', state: 'callable', health: 'ok', updated_at: 1 });
    const hubspot = connection({ service_id: 'hubspot', state: 'callable', health: 'ok', updated_at: 1 });
    const pipedrive = connection({ service_id: 'pipedrive', state: 'callable', updated_at: 1 });
    const { el, events, stub, live } = await mountLive([salesforce, hubspot, pipedrive]);
    expect(listReads(stub)).to.equal(1);
    const salesforceRow = row(el, 'salesforce');

    setVisibility('hidden');
    clock.tick(MINUTE);
    // Meanwhile: Salesforce's token died, HubSpot was disconnected elsewhere, Pipedrive went, Close is new.
    const held = gate();
    live.state.hold = held.promise;
    live.state.list = [
      { ...salesforce, health: 'needs_auth', updated_at: 2 },
      { ...hubspot, state: 'available', updated_at: 2 },
      connection({ service_id: 'close', state: 'callable' }),
    ];
    setVisibility('visible');

    await until(() => listReads(stub) === 2, 'the list is read again');
    // While it is on its way: the rows stay, no skeleton, the search box stays usable.
    await el.updateComplete;
    expect(shadow(el).querySelector('.skeleton')).to.equal(null);
    expect(rows(el)).to.have.length(3);
    expect(shadow(el).querySelector<HTMLInputElement>('input[type="search"]')?.disabled).to.be.false;

    held.open();
    await events.waitFor('vault-connection-delete', 2);
    await el.updateComplete;
    // In place: the same row element, now saying what is true.
    expect(row(el, 'salesforce')).to.equal(salesforceRow);
    expect(badge(row(el, 'salesforce')).dataset.status).to.equal('needs_reauth');
    expect(badge(row(el, 'hubspot')).dataset.status).to.equal('not_connected');
    expect(rows(el).map((r) => r.dataset.serviceId)).to.deep.equal(['salesforce', 'hubspot', 'close']);
    expect(events.changes.map((c) => [c.service_id, c.health ?? c.state])).to.deep.equal([
      ['salesforce', 'needs_auth'],
      ['close', 'callable'],
    ]);
    expect(events.deletes.map((c) => c.service_id)).to.deep.equal(['hubspot', 'pipedrive']);
    expect(events.ready).to.have.length(1);
    expect(events.errors).to.deep.equal([]);
  });

  it('fires change for each watched field, and nothing for a list that did not change', async () => {
    const base = connection({ service_id: 'base', state: 'callable', health: 'ok', updated_at: 1, credentials_expire_at: 0 });
    const fields: [string, Partial<Connection>][] = [
      ['state', { state: 'authorized' }],
      ['enabled', { enabled: false }],
      ['health', { health: 'degraded' }],
      ['integration_state', { integration_state: 'disabled' }],
      ['credentials_expire_at', { credentials_expire_at: Date.now() + 7 * 86_400_000 }],
      ['updated_at', { updated_at: 2 }],
    ];
    const initial = fields.map(([name]) => ({ ...base, service_id: name }));
    const { el, events, stub, live } = await mountLive(initial);

    // Nothing changed: a read, no event.
    setWindowFocus(false);
    clock.tick(30_000);
    setWindowFocus(true);
    await until(() => listReads(stub) === 2, 'the list is read again on focus');
    await el.updateComplete;
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(events.changes).to.deep.equal([]);

    live.state.list = fields.map(([name, patch]) => ({ ...base, service_id: name, ...patch }));
    setWindowFocus(false);
    clock.tick(30_000);
    setWindowFocus(true);
    await events.waitFor('vault-connection-change', fields.length);
    expect(events.changes.map((c) => c.service_id)).to.deep.equal(fields.map(([name]) => name));
    expect(events.deletes).to.deep.equal([]);
  });

  it('does not read again for a shorter absence', async () => {
    const { el, stub } = await mountLive([connection({ service_id: 'salesforce' })]);
    setVisibility('hidden');
    clock.tick(MINUTE - 1_000);
    setVisibility('visible');
    setWindowFocus(false);
    clock.tick(29_000);
    setWindowFocus(true);
    // A focus without a blur before it (the first one on a page) is no return either.
    setWindowFocus(true);
    await el.updateComplete;
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(listReads(stub)).to.equal(1);
  });

  it('coming back both shows and focuses the page: one read', async () => {
    const { el, stub } = await mountLive([connection({ service_id: 'salesforce' })]);
    setWindowFocus(false);
    setVisibility('hidden');
    clock.tick(2 * MINUTE);
    setVisibility('visible');
    setWindowFocus(true);
    await until(() => listReads(stub) === 2, 'one read');
    await el.updateComplete;
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(listReads(stub)).to.equal(2);
  });

  it('a row the user changed while the list was being read again keeps its new value', async () => {
    const salesforce = connection({ service_id: 'salesforce', state: 'callable', updated_at: 1 });
    const live = liveList([salesforce]);
    const { el, events } = await mountWithList([salesforce], {
      route: (call) =>
        call.method === 'PATCH' ? connectionResponse({ ...salesforce, enabled: false, updated_at: 2 }) : live.route(call),
    });
    await import('../../../src/internal/controllers/freshness.ts');
    await new Promise((resolve) => setTimeout(resolve));
    const held = gate();
    live.state.hold = held.promise;
    setVisibility('hidden');
    clock.tick(MINUTE);
    setVisibility('visible');
    // The list read leaves now (it sees Salesforce enabled); the user disables Salesforce before it is back.
    await chooseAction(row(el, 'salesforce'), 'disable');
    await events.waitFor('vault-connection-change');
    await el.updateComplete;
    expect(badge(row(el, 'salesforce')).dataset.status).to.equal('disabled');
    held.open();
    await new Promise((resolve) => setTimeout(resolve, 50));
    await el.updateComplete;
    // The older read is dropped: the row keeps what the API said last.
    expect(badge(row(el, 'salesforce')).dataset.status).to.equal('disabled');
    expect(events.changes.map((c) => c.enabled)).to.deep.equal([false]);
  });

  it('a failed re-read keeps the list on screen and says so with vault-connect-error', async () => {
    const { el, events, live } = await mountLive([connection({ service_id: 'salesforce' })]);
    live.state.fail = true;
    setVisibility('hidden');
    clock.tick(MINUTE);
    setVisibility('visible');
    await events.waitFor('vault-connect-error');
    await el.updateComplete;
    expect(events.errors[0]).to.include({ code: 'api_error', retryable: true });
    expect(rows(el)).to.have.length(1);
    expect(shadow(el).querySelector('[part="state"]')).to.equal(null);
  });

  it('releases its listeners on disconnect, and listens again when attached again', async () => {
    const { el, stub } = await mountLive([connection({ service_id: 'salesforce' })]);
    const parent = el.parentElement!;
    el.remove();
    setVisibility('hidden');
    clock.tick(MINUTE);
    setVisibility('visible');
    setWindowFocus(false);
    clock.tick(MINUTE);
    setWindowFocus(true);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(listReads(stub)).to.equal(1);

    parent.append(el);
    await el.updateComplete;
    const reads = listReads(stub);
    setVisibility('hidden');
    clock.tick(MINUTE);
    setVisibility('visible');
    await until(() => listReads(stub) === reads + 1, 'a read once attached again');
  });

  it('against the sandbox: a connection whose token died reads needs_reauth after the page comes back', async () => {
    const { el, events, consumer } = await mountSandbox();
    await import('../../../src/internal/controllers/freshness.ts');
    await new Promise((resolve) => setTimeout(resolve));
    expect(badge(row(el, 'salesforce')).dataset.status).to.equal('connected');
    // The sandbox's control puts the connection in a health state (as Apideck reports after a revoked grant).
    await sandboxApi(consumer, 'POST', '/__sandbox/health/crm/salesforce', { health: 'needs_auth' });
    expect((await sandboxApi<Connection>(consumer, 'GET', '/vault/connections/crm/salesforce')).health).to.equal('needs_auth');
    setVisibility('hidden');
    clock.tick(MINUTE);
    setVisibility('visible');
    await events.waitFor('vault-connection-change');
    await el.updateComplete;
    expect(badge(row(el, 'salesforce')).dataset.status).to.equal('needs_reauth');
    expect(events.changes.map((c) => c.service_id)).to.deep.equal(['salesforce']);
  });
});
