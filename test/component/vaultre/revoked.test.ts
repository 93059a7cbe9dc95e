/**
 * The VaultRE row when the host's `GET` says the stored token was revoked at VaultRE (`{"connected": false, "reason":
 * "revoked"}`, from `createVaultreHandler`'s `verifyToken`): `needs_reauth`, "Reconnect needed" with Reconnect as the
 * primary action, a hint that says why, and a disconnect dialog that tells the truth about what forgetting does (the
 * token stays valid at VaultRE until the user revokes it there). `refresh()` re-reads the row's status. A reason the
 * element does not know is only "not connected", and never rendered.
 */
import { expect } from '@open-wc/testing';
import { expectAccessibleInBothThemes } from '../support/a11y-helpers.ts';
import {
  badge,
  button,
  chooseAction,
  closeMenu,
  dialog,
  jsonResponse,
  menuItem,
  offeredActions,
  restoreFetch,
  row,
  shadow,
  text,
  until,
} from '../support/helpers.ts';
import { answerDialog, authorizeUrlFor, mountVaultre, settledRow, spyOpen, stubHost, type OpenSpy } from '../support/vaultre-helpers.ts';
import { fakePopup } from '../support/popup-helpers.ts';

const REVOKED = { connected: false, reason: 'revoked' };
const CONNECTED = { connected: true, token_type: 'account', connected_at: '2024-05-01T10:00:00.000Z' };

let opened: OpenSpy | undefined;

afterEach(() => {
  opened?.restore();
  opened = undefined;
  restoreFetch();
  sessionStorage.clear();
});

describe('<vault-connect> VaultRE row for a token revoked at VaultRE', () => {
  it('shows needs_reauth, "Reconnect needed", Reconnect as the primary action and why; no error event', async () => {
    stubHost({ status: jsonResponse(REVOKED) });
    const { el, events } = await mountVaultre();
    const vaultre = await settledRow(el);
    expect(badge(vaultre).dataset.status).to.equal('needs_reauth');
    expect(text(badge(vaultre))).to.equal('Reconnect needed');
    expect(badge(vaultre).dataset.tone, 'as an Apideck row that needs reauthorization').to.equal('danger');
    expect(await offeredActions(vaultre)).to.deep.equal(['reconnect', 'disconnect']);
    expect(button(vaultre, 'reconnect').className).to.equal('primary');
    expect((await menuItem(vaultre, 'disconnect')).className).to.equal('menu-item danger');
    await closeMenu(vaultre);
    expect(text(vaultre.querySelector('[part="tag-line"]'))).to.equal(
      'VaultRE no longer accepts this connection: its access was revoked in VaultRE. Reconnect to use it again.',
    );
    expect(events.errors, 'a revoked token is a status, not a failure').to.deep.equal([]);
    await expectAccessibleInBothThemes(el, 'VaultRE revoked');
  });

  it('refresh() re-reads the status: a token revoked since the first read shows needs_reauth without a reload', async () => {
    let reply: object = CONNECTED;
    const host = stubHost({ status: () => jsonResponse(reply) });
    const { el } = await mountVaultre();
    expect(badge(await settledRow(el)).dataset.status).to.equal('connected');
    reply = REVOKED;
    await el.refresh();
    await el.updateComplete;
    expect(host.gets()).to.have.length(2);
    expect(badge(row(el, 'vaultre')).dataset.status).to.equal('needs_reauth');
    reply = CONNECTED;
    await el.refresh();
    await el.updateComplete;
    expect(badge(row(el, 'vaultre')).dataset.status).to.equal('connected');
  });

  it('Reconnect starts a new authorization', async () => {
    const host = stubHost({ status: jsonResponse(REVOKED) });
    const popup = fakePopup();
    opened = spyOpen(() => popup);
    const { el } = await mountVaultre();
    await chooseAction(await settledRow(el), 'reconnect');
    await until(() => popup.href !== 'about:blank', 'the popup goes to VaultRE');
    expect(host.authorizes()).to.have.length(1);
    expect(popup.href).to.equal(authorizeUrlFor('account', host.states[0]));
    el.cancel();
  });

  it('in each locale, the label is translated', async () => {
    const labels = { nl: 'Opnieuw verbinden nodig', de: 'Erneute Verbindung nötig', fr: 'Reconnexion nécessaire', es: 'Hay que volver a conectar' };
    stubHost({ status: jsonResponse(REVOKED) });
    const { el } = await mountVaultre();
    await settledRow(el);
    for (const [locale, label] of Object.entries(labels)) {
      el.locale = locale as 'nl';
      await until(() => text(badge(row(el, 'vaultre'))) === label, `the ${locale} label`);
    }
  });

  for (const [name, status] of [
    ['an unknown reason', { connected: false, reason: 'expired' }],
    ['a hostile reason', { connected: false, reason: '<img src=x onerror="window.__pwned=1">' }],
    ['"revoked" beside connected: true', { ...CONNECTED, reason: 'revoked' }],
  ] as const) {
    it(`${name} is not a revocation, and is never rendered`, async () => {
      stubHost({ status: jsonResponse(status) });
      const { el } = await mountVaultre();
      const vaultre = await settledRow(el);
      expect(badge(vaultre).dataset.status).to.equal(status.connected ? 'connected' : 'not_connected');
      expect(shadow(el).innerHTML).not.to.contain(status.reason);
      expect((window as { __pwned?: number }).__pwned).to.equal(undefined);
    });
  }
});

describe('<vault-connect> VaultRE disconnect tells the truth', () => {
  it('a live token: the dialog says the token stays valid at VaultRE until the user revokes it there', async () => {
    stubHost({ status: jsonResponse(CONNECTED) });
    const { el } = await mountVaultre();
    await chooseAction(await settledRow(el), 'disconnect');
    const d = await dialog(el);
    await until(() => d.open, 'the dialog opens');
    expect(text(d)).to.contain('This app forgets its access token. The token stays valid at VaultRE until you revoke it there, in your VaultRE account.');
    await answerDialog(d, 'cancel');
  });

  it('a revoked token: the dialog says VaultRE no longer accepts it; Confirm forgets it (DELETE), Not connected', async () => {
    let reply: object = REVOKED;
    const host = stubHost({ status: () => jsonResponse(reply), remove: () => ((reply = { connected: false }), new Response(null, { status: 204 })) });
    const { el, events } = await mountVaultre();
    await chooseAction(await settledRow(el), 'disconnect');
    const d = await dialog(el);
    await until(() => d.open, 'the dialog opens');
    expect(text(d)).to.contain('This app forgets its access token, which VaultRE no longer accepts.');
    expect(text(d)).not.to.contain('stays valid');
    await answerDialog(d, 'confirm');
    await until(() => host.deletes().length === 1, 'DELETE is sent');
    await until(() => badge(row(el, 'vaultre')).dataset.status === 'not_connected', 'Not connected');
    expect(await offeredActions(row(el, 'vaultre'))).to.deep.equal(['connect']);
    expect(events.errors).to.deep.equal([]);
  });
});
