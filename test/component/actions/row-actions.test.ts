import { expect } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import type { VaultConnect } from '../../../src/index.ts';
import {
  actionControl,
  announcement,
  badge,
  dialog,
  type FetchStub,
  gate,
  mountSandbox,
  offeredActions,
  restoreFetch,
  row,
  sandbox,
  sandboxConnection,
  shadow,
  stubFetch,
  text,
  until,
} from '../support/helpers.ts';

const SALESFORCE = '/vault/connections/crm/salesforce';
const CLOSE = '/vault/connections/crm/close';

/** Passes every request through to the sandbox, holding the `method` requests back until released. */
async function gatedSpy(method: string): Promise<{ spy: FetchStub; release: () => void }> {
  const { vaultApiUrl } = await sandbox();
  const held = gate();
  const spy = stubFetch((call) =>
    call.url.origin === vaultApiUrl && call.method === method ? held.promise.then(() => undefined) : undefined,
  );
  return { spy, release: held.open };
}

function activeAction(el: VaultConnect): string | undefined {
  return (shadow(el).activeElement as HTMLElement | null)?.dataset.action;
}

function activeRow(el: VaultConnect): string | undefined {
  return (shadow(el).activeElement as HTMLElement | null)?.closest<HTMLElement>('[part="connection"]')?.dataset.serviceId;
}

async function openDisconnectDialog(el: VaultConnect, serviceId: string): Promise<HTMLDialogElement> {
  const disconnect = await actionControl(row(el, serviceId), 'disconnect');
  disconnect.focus();
  disconnect.click();
  await el.updateComplete;
  const d = await dialog(el);
  await until(() => d.open, 'the dialog opens');
  return d;
}

describe('<vault-connect> row actions against the sandbox', () => {
  afterEach(restoreFetch);

  it('disable: PATCHes {enabled:false}, shows progress while pending, then draws the API’s reply and fires vault-connection-change', async () => {
    const { el, events, consumer } = await mountSandbox();
    const before = await sandboxConnection(consumer, 'crm', 'salesforce');
    const { spy, release } = await gatedSpy('PATCH');

    const disable = await actionControl(row(el, 'salesforce'), 'disable');
    disable.focus();
    disable.click();
    // Pending (as soon as the prefetched interactions chunk runs): the row is busy, says what it does, and its buttons wait.
    await until(() => row(el, 'salesforce').getAttribute('aria-busy') === 'true', 'the row is busy');
    const pending = row(el, 'salesforce');
    expect(text(pending.querySelector('.progress[role="status"]'))).to.equal('Disabling…');
    expect([...pending.querySelectorAll('button')].every((b) => b.disabled)).to.be.true;
    expect(badge(pending).dataset.status).to.equal('connected');
    expect(events.changes).to.have.length(0);

    release();
    await events.waitFor('vault-connection-change');
    await el.updateComplete;

    const patch = spy.calls.find((c) => c.method === 'PATCH');
    expect(patch?.url.pathname).to.equal(SALESFORCE);
    expect(JSON.parse(patch?.body ?? 'null')).to.deep.equal({ enabled: false });

    // The event carries the API's value; the sandbox holds it too.
    const after = await sandboxConnection(consumer, 'crm', 'salesforce');
    expect(after.enabled).to.be.false;
    expect(events.changes).to.have.length(1);
    const changed = events.changes[0];
    expect(changed.enabled).to.be.false;
    expect(changed.updated_at).to.equal(after.updated_at);
    expect(changed.updated_at).to.not.equal(before.updated_at);

    // What the user sees: Disabled, with Enable offered, no longer busy, and told so.
    const done = row(el, 'salesforce');
    expect(done.getAttribute('aria-busy')).to.equal('false');
    expect(done.querySelector('.progress')).to.equal(null);
    expect(badge(done).dataset.status).to.equal('disabled');
    expect(text(badge(done))).to.equal('Disabled');
    await until(() => announcement(el) === 'Salesforce disabled', 'the announcement');
    // Focus stays in the row, on Enable, which took the place of Disable.
    await until(() => activeRow(el) === 'salesforce' && activeAction(el) === 'enable', 'focus on Enable');
    expect(await offeredActions(done)).to.deep.equal(['enable', 'settings', 'disconnect']);
    expect(events.errors).to.deep.equal([]);
  });

  it('enable: PATCHes {enabled:true} and the disabled row becomes Connected', async () => {
    const { el, events, consumer } = await mountSandbox();
    expect(badge(row(el, 'close')).dataset.status).to.equal('disabled');
    // The PATCH waits until the progress has been seen: against the local sandbox it can finish within one poll.
    const { spy, release } = await gatedSpy('PATCH');
    const enable = await actionControl(row(el, 'close'), 'enable');
    enable.focus();
    enable.click();
    await until(() => text(row(el, 'close').querySelector('.progress')) === 'Enabling…', 'progress shown');
    release();
    await events.waitFor('vault-connection-change');
    await el.updateComplete;

    expect(spy.count('PATCH', CLOSE)).to.equal(1);
    expect(JSON.parse(spy.calls.find((c) => c.method === 'PATCH')?.body ?? 'null')).to.deep.equal({ enabled: true });
    const after = await sandboxConnection(consumer, 'crm', 'close');
    expect(after.enabled).to.be.true;
    expect(events.changes[0].enabled).to.be.true;
    expect(events.changes[0].state).to.equal(after.state);
    expect(badge(row(el, 'close')).dataset.status).to.equal('connected');
    expect(text(badge(row(el, 'close')))).to.equal('Connected');
    expect(await offeredActions(row(el, 'close'))).to.deep.equal(['settings', 'disable', 'disconnect']);
    await until(() => announcement(el) === 'Close enabled', 'the announcement');
  });

  describe('disconnect', () => {
    it('asks first in an in-element dialog naming the connection', async () => {
      const { el, events } = await mountSandbox();
      const d = await openDisconnectDialog(el, 'salesforce');
      expect(d.getRootNode()).to.equal(el.shadowRoot);
      expect(d.getAttribute('part')).to.equal('dialog');
      expect(text(d.querySelector('h2'))).to.equal('Disconnect Salesforce?');
      expect(text(d)).to.contain('Its settings and authorization are removed. You can connect it again later.');
      expect([...d.querySelectorAll('button')].map((b) => text(b))).to.deep.equal(['Cancel', 'Disconnect']);
      expect(events.deletes).to.have.length(0);
    });

    it('Cancel does nothing and returns focus to the More button that held Disconnect', async () => {
      const { el, events, consumer } = await mountSandbox();
      const spy = stubFetch();
      const d = await openDisconnectDialog(el, 'salesforce');
      const cancel = [...d.querySelectorAll('button')].find((b) => text(b) === 'Cancel');
      cancel?.click();
      await until(() => !d.open, 'the dialog closes');
      await until(() => activeAction(el) === 'more' && activeRow(el) === 'salesforce', 'focus back on More');

      expect(spy.calls.filter((c) => c.method !== 'GET')).to.deep.equal([]);
      expect(events.deletes).to.have.length(0);
      expect(events.changes).to.have.length(0);
      expect(badge(row(el, 'salesforce')).dataset.status).to.equal('connected');
      expect((await sandboxConnection(consumer, 'crm', 'salesforce')).state).to.equal('callable');
    });

    it('Escape closes it without disconnecting', async () => {
      const { el, events } = await mountSandbox();
      const spy = stubFetch();
      const d = await openDisconnectDialog(el, 'salesforce');
      await sendKeys({ press: 'Escape' });
      await until(() => !d.open, 'the dialog closes');
      await until(() => activeAction(el) === 'more', 'focus back on More');
      expect(spy.count('DELETE', SALESFORCE)).to.equal(0);
      expect(events.deletes).to.have.length(0);
      expect(badge(row(el, 'salesforce')).dataset.status).to.equal('connected');
    });

    it('Confirm sends DELETE, the row becomes Not connected and vault-connection-delete fires with the API’s value', async () => {
      const { el, events, consumer } = await mountSandbox();
      const { spy, release } = await gatedSpy('DELETE');
      const d = await openDisconnectDialog(el, 'salesforce');
      const confirm = d.querySelector<HTMLButtonElement>('button[data-confirm]');
      expect(text(confirm)).to.equal('Disconnect');
      confirm?.click();
      await until(() => !d.open, 'the dialog closes');
      await until(() => text(row(el, 'salesforce').querySelector('.progress')) === 'Disconnecting…', 'progress');
      expect(row(el, 'salesforce').getAttribute('aria-busy')).to.equal('true');

      release();
      await events.waitFor('vault-connection-delete');
      await el.updateComplete;

      expect(spy.count('DELETE', SALESFORCE)).to.equal(1);
      // Re-read after the delete: Apideck lists it again, as available.
      expect(spy.count('GET', SALESFORCE)).to.equal(1);
      const after = await sandboxConnection(consumer, 'crm', 'salesforce');
      expect(after.state).to.equal('available');
      expect(events.deletes).to.have.length(1);
      expect(events.deletes[0].service_id).to.equal('salesforce');
      expect(events.deletes[0].state).to.equal('available');
      expect(events.deletes[0].updated_at).to.equal(after.updated_at);

      const r = row(el, 'salesforce');
      expect(badge(r).dataset.status).to.equal('not_connected');
      expect(text(badge(r))).to.equal('Not connected');
      expect(await offeredActions(r)).to.deep.equal(['connect']);
      expect(r.getAttribute('aria-busy')).to.equal('false');
      await until(() => activeAction(el) === 'connect' && activeRow(el) === 'salesforce', 'focus on Connect');
      await until(() => announcement(el) === 'Salesforce disconnected', 'the announcement');
      expect(events.errors).to.deep.equal([]);
    });
  });

  describe('settings.allow_actions of the session', () => {
    it('without allow_actions every action is offered', async () => {
      const { el } = await mountSandbox();
      expect(await offeredActions(row(el, 'salesforce'))).to.deep.equal(['settings', 'reconnect', 'disable', 'disconnect']);
      expect(await offeredActions(row(el, 'close'))).to.deep.equal(['enable', 'settings', 'disconnect']);
      expect(await offeredActions(row(el, 'myob'))).to.deep.equal(['settings', 'reconnect', 'disconnect']);
    });

    it('an empty allow_actions hides every gated action', async () => {
      const { el } = await mountSandbox({ allowActions: [] });
      expect(await offeredActions(row(el, 'salesforce'))).to.deep.equal(['settings']);
      expect(await offeredActions(row(el, 'close'))).to.deep.equal(['settings']);
      expect(await offeredActions(row(el, 'pipedrive'))).to.deep.equal(['connect']);
    });

    it('reauthorize allows reconnect only', async () => {
      const { el } = await mountSandbox({ allowActions: ['reauthorize'] });
      expect(await offeredActions(row(el, 'salesforce'))).to.deep.equal(['settings', 'reconnect']);
      expect(await offeredActions(row(el, 'myob'))).to.deep.equal(['settings', 'reconnect']);
      expect(await offeredActions(row(el, 'close'))).to.deep.equal(['settings']);
    });

    it('disable allows disable and enable', async () => {
      const { el } = await mountSandbox({ allowActions: ['disable'] });
      expect(await offeredActions(row(el, 'salesforce'))).to.deep.equal(['settings', 'disable']);
      expect(await offeredActions(row(el, 'close'))).to.deep.equal(['enable', 'settings']);
    });

    for (const entry of ['delete', 'disconnect']) {
      it(`${entry} allows disconnect`, async () => {
        const { el } = await mountSandbox({ allowActions: [entry] });
        expect(await offeredActions(row(el, 'salesforce'))).to.deep.equal(['settings', 'disconnect']);
        expect(await offeredActions(row(el, 'close'))).to.deep.equal(['settings', 'disconnect']);
      });
    }

    it('reconnect is offered for OAuth connections only', async () => {
      const { el } = await mountSandbox({ allowActions: ['reauthorize', 'disable', 'delete'] });
      // oauth2: salesforce (callable), myob (invalid); apiKey: teamtailor (callable), workable (invalid); basic: bob.
      expect(await offeredActions(row(el, 'salesforce'))).to.include('reconnect');
      expect(await offeredActions(row(el, 'myob'))).to.include('reconnect');
      expect(await offeredActions(row(el, 'teamtailor'))).to.deep.equal(['settings', 'disable', 'disconnect']);
      expect(await offeredActions(row(el, 'workable'))).to.deep.equal(['settings', 'disconnect']);
      expect(await offeredActions(row(el, 'bob'))).to.deep.equal(['settings', 'disable', 'disconnect']);
    });
  });
});
