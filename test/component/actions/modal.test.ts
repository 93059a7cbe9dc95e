import { expect } from '@open-wc/testing';
import { decodeJwt } from 'jose';
import type { VaultConnect } from '../../../src/index.ts';
import {
  actionControl,
  badge,
  button,
  chooseAction,
  FakeVaultModal,
  mountSandbox,
  offeredActions,
  restoreFetch,
  row,
  sandbox,
  sandboxApi,
  sandboxConnection,
  shadow,
  stubFetch,
  text,
  until,
} from '../support/helpers.ts';

const SALESFORCE = '/vault/connections/crm/salesforce';
const PIPEDRIVE = '/vault/connections/crm/pipedrive';

/** A connection object as a hostile page could post it to Vault JS. */
const FORGED = {
  id: 'crm+salesforce',
  service_id: 'salesforce',
  unified_api: 'crm',
  name: 'Forged',
  state: 'callable',
  enabled: true,
  integration_state: 'configured',
};

function focused(el: VaultConnect): { serviceId: string | undefined; action: string | undefined } {
  const active = shadow(el).activeElement as HTMLElement | null;
  return { serviceId: active?.closest<HTMLElement>('[part="connection"]')?.dataset.serviceId, action: active?.dataset.action };
}

/** Whether every button that opens a flow is disabled, and the others are not. */
function flowButtonsDisabled(el: VaultConnect): boolean[] {
  const buttons = [...shadow(el).querySelectorAll<HTMLButtonElement>('[part="connection"] button[data-action]')];
  const opens = buttons.filter((b) => ['connect', 'settings', 'reconnect'].includes(b.dataset.action ?? ''));
  const others = buttons.filter((b) => !opens.includes(b));
  return [opens.every((b) => b.disabled), others.some((b) => b.disabled)];
}

describe('<vault-connect> embedded Vault modal (fake vaultModal, sandbox API)', () => {
  afterEach(restoreFetch);

  it('connect opens it with the session token, unified API, service id and locale', async () => {
    const modal = new FakeVaultModal();
    const spy = stubFetch();
    const { el, events, consumer } = await mountSandbox({ vaultModal: modal });
    const { vaultApiUrl, applicationId } = await sandbox();

    const connect = button(row(el, 'pipedrive'), 'connect');
    connect.focus();
    connect.click();
    const options = await modal.waitForOpen();
    await el.updateComplete;

    expect(modal.opened).to.have.length(1);
    expect(options.unifiedApi).to.equal('crm');
    expect(options.serviceId).to.equal('pipedrive');
    expect(options.locale).to.equal('en');
    expect(options.unifyBaseUrl).to.equal(vaultApiUrl);
    // The token is the session the element got from session-url (the one it calls the Vault API with).
    const claims = decodeJwt(options.token);
    expect(claims.consumer_id).to.equal(consumer);
    expect(claims.application_id).to.equal(applicationId);
    const list = spy.calls.find((c) => c.url.origin === vaultApiUrl && c.url.pathname === '/vault/connections');
    expect(list?.headers.get('authorization')).to.equal(`Bearer ${options.token}`);
    expect(options.onClose).to.be.a('function');
    expect(options.onConnectionChange).to.be.a('function');
    expect(options.onConnectionDelete).to.be.a('function');

    // While it is open: no progress left in the row, and a second click starts no second flow.
    expect(row(el, 'pipedrive').querySelector('.progress')).to.equal(null);
    expect(flowButtonsDisabled(el)).to.deep.equal([false, false]);
    button(row(el, 'xero'), 'connect').click();
    await el.updateComplete;
    expect(modal.opened).to.have.length(1);

    options.onClose?.();
    // Focus returns to the button that opened it; the connection was read once more from the API on close.
    await until(() => spy.count('GET', PIPEDRIVE) === 1, 'the connection is read again on close');
    await until(() => focused(el).serviceId === 'pipedrive' && focused(el).action === 'connect', 'focus back on Connect');
    expect(flowButtonsDisabled(el)).to.deep.equal([false, false]);
    expect(events.changes).to.have.length(0);
    expect(events.errors).to.deep.equal([]);
    expect(modal.closed).to.equal(0);
  });

  it('passes the locale attribute on', async () => {
    const modal = new FakeVaultModal();
    const { el } = await mountSandbox({ vaultModal: modal, locale: 'de' });
    button(row(el, 'pipedrive'), 'connect').click();
    expect((await modal.waitForOpen()).locale).to.equal('de');
    modal.last.onClose?.();
  });

  it('a forged onConnectionChange payload never reaches the row: the element re-reads the API and reports its value', async () => {
    const modal = new FakeVaultModal();
    const { el, events, consumer } = await mountSandbox({ vaultModal: modal });
    const spy = stubFetch();
    const settings = await actionControl(row(el, 'salesforce'), 'settings');
    settings.focus();
    settings.click();
    const options = await modal.waitForOpen();
    expect(options.serviceId).to.equal('salesforce');

    // Meanwhile the connection really changes in the Vault API (as the modal would have done).
    await sandboxApi(consumer, 'PATCH', SALESFORCE, { enabled: false });
    const truth = await sandboxConnection(consumer, 'crm', 'salesforce');

    options.onConnectionChange?.(FORGED);
    await events.waitFor('vault-connection-change');
    await el.updateComplete;

    expect(spy.count('GET', SALESFORCE)).to.be.at.least(1);
    expect(events.changes).to.have.length(1);
    const reported = events.changes[0];
    expect(reported.name).to.equal('Salesforce');
    expect(reported.enabled).to.be.false;
    expect(reported.updated_at).to.equal(truth.updated_at);

    const r = row(el, 'salesforce');
    expect(text(r.querySelector('[part="name"]'))).to.equal('Salesforce');
    expect(text(r)).to.not.contain('Forged');
    expect(badge(r).dataset.status).to.equal('disabled');

    options.onClose?.();
    await until(() => spy.count('GET', SALESFORCE) === 2, 'read again on close');
    // Disabled now, the row's Settings is in its More menu: focus is on the row's first button, Enable.
    await until(() => focused(el).serviceId === 'salesforce' && focused(el).action === 'enable', 'focus on Enable');
    // Read again on close; nothing new, so no second event.
    expect(spy.count('GET', SALESFORCE)).to.equal(2);
    expect(events.changes).to.have.length(1);
    expect(events.errors).to.deep.equal([]);
  });

  it('a forged onConnectionChange with nothing changed in the API fires no event and changes no row', async () => {
    const modal = new FakeVaultModal();
    const { el, events } = await mountSandbox({ vaultModal: modal });
    const spy = stubFetch();
    button(row(el, 'pipedrive'), 'connect').click();
    const options = await modal.waitForOpen();

    options.onConnectionChange?.({ ...FORGED, service_id: 'pipedrive', id: 'crm+pipedrive' });
    await until(() => spy.count('GET', PIPEDRIVE) === 1, 'the re-read');
    await el.updateComplete;
    expect(events.changes).to.have.length(0);
    expect(text(row(el, 'pipedrive').querySelector('[part="name"]'))).to.equal('Pipedrive');
    expect(badge(row(el, 'pipedrive')).dataset.status).to.equal('not_connected');
    options.onClose?.();
    await until(() => spy.count('GET', PIPEDRIVE) === 2, 'the re-read on close');
  });

  it('onConnectionDelete is a hint too: the API says the connection is gone, so vault-connection-delete fires', async () => {
    const modal = new FakeVaultModal();
    const { el, events, consumer } = await mountSandbox({ vaultModal: modal });
    await chooseAction(row(el, 'salesforce'), 'settings');
    const options = await modal.waitForOpen();

    await sandboxApi(consumer, 'DELETE', SALESFORCE);
    options.onConnectionDelete?.(FORGED);
    await events.waitFor('vault-connection-delete');
    await el.updateComplete;
    expect(events.deletes[0].state).to.equal('available');
    expect(events.deletes[0].name).to.equal('Salesforce');
    expect(badge(row(el, 'salesforce')).dataset.status).to.equal('not_connected');
    expect(events.changes).to.have.length(0);

    options.onClose?.();
    // The Settings button is gone: focus goes to the row's remaining button.
    await until(() => focused(el).serviceId === 'salesforce' && focused(el).action === 'connect', 'focus on Connect');
    expect(await offeredActions(row(el, 'salesforce'))).to.deep.equal(['connect']);
  });

  it('openConnection(serviceId) opens the modal and settles when it closes', async () => {
    const modal = new FakeVaultModal();
    const { el, events } = await mountSandbox({ vaultModal: modal });
    let settled = false;
    const flow = el.openConnection('pipedrive').then(() => {
      settled = true;
    });
    const options = await modal.waitForOpen();
    expect(options.serviceId).to.equal('pipedrive');
    expect(options.unifiedApi).to.equal('crm');
    await el.updateComplete;
    expect(settled).to.be.false;

    options.onClose?.();
    await flow;
    expect(settled).to.be.true;
    expect(modal.opened).to.have.length(1);
    expect(events.errors).to.deep.equal([]);
  });

  it('openConnection on a connected row opens its settings', async () => {
    const modal = new FakeVaultModal();
    const { el } = await mountSandbox({ vaultModal: modal });
    const flow = el.openConnection('salesforce', 'crm');
    const options = await modal.waitForOpen();
    expect(options.serviceId).to.equal('salesforce');
    options.onClose?.();
    await flow;
    expect(focused(el)).to.deep.equal({ serviceId: 'salesforce', action: 'settings' });
  });

  it('openConnection of an unknown service reports api_error and opens nothing', async () => {
    const modal = new FakeVaultModal();
    const { el, events } = await mountSandbox({ vaultModal: modal });
    await el.openConnection('no-such-service');
    expect(modal.opened).to.have.length(0);
    expect(events.errors).to.have.length(1);
    expect(events.errors[0].code).to.equal('api_error');
    expect(events.errors[0].message).to.contain('no-such-service');
    expect(events.errors[0].retryable).to.be.false;
  });

  it('only one flow at a time: a second openConnection settles at once without opening another modal', async () => {
    const modal = new FakeVaultModal();
    const { el } = await mountSandbox({ vaultModal: modal });
    const first = el.openConnection('pipedrive');
    const options = await modal.waitForOpen();
    await el.openConnection('xero');
    expect(modal.opened).to.have.length(1);
    options.onClose?.();
    await first;
  });

  it('cancel() closes the modal and settles the flow without an error', async () => {
    const modal = new FakeVaultModal();
    const { el, events } = await mountSandbox({ vaultModal: modal });
    const spy = stubFetch();
    let settled = false;
    const flow = el.openConnection('salesforce').then(() => {
      settled = true;
    });
    const options = await modal.waitForOpen();
    el.cancel();
    await flow;
    expect(settled).to.be.true;
    expect(modal.closed).to.equal(1);
    expect(events.errors).to.deep.equal([]);
    await el.updateComplete;
    expect(flowButtonsDisabled(el)).to.deep.equal([false, false]);

    // Hints that arrive after the flow ended are dropped: no re-read.
    options.onConnectionChange?.(FORGED);
    options.onClose?.();
    await el.updateComplete;
    expect(spy.count('GET', SALESFORCE)).to.equal(0);
    expect(events.changes).to.have.length(0);
  });

  it('removing the element closes the modal and settles the flow', async () => {
    const modal = new FakeVaultModal();
    const { el, events } = await mountSandbox({ vaultModal: modal });
    const flow = el.openConnection('pipedrive');
    await modal.waitForOpen();
    el.remove();
    await flow;
    expect(modal.closed).to.equal(1);
    expect(events.errors).to.deep.equal([]);
  });
});
