/**
 * Issue 14: where the session JWT and the host's cookies may go.
 *
 * - Finding 10: `unify-base-url` and `vault-url` receive the session JWT (a header, Hosted Vault's `?jwt=`): a plain
 *   `http:` one off this machine is refused with `invalid_config` before anything is sent, with a clear message in the
 *   panel or the row. `http:` stays allowed on loopback (`localhost`, `127.0.0.0/8`, `[::1]`), where the sandbox runs.
 * - Finding 5, the element's half: a host endpoint on another origin is called with `credentials: 'include'` (its
 *   session cookie), one on this page's origin with `'same-origin'`.
 */
import { expect } from '@open-wc/testing';
import { fakePopup } from '../support/popup-helpers.ts';
import {
  button,
  connection,
  forgedToken,
  jsonResponse,
  listResponse,
  mount,
  mountWithList,
  restoreFetch,
  row,
  shadow,
  statePanel,
  stubFetch,
  text,
  until,
} from '../support/helpers.ts';
import { CALLBACK_URL, mountVaultre, settledRow, spyOpen, stubHost, type OpenSpy } from '../support/vaultre-helpers.ts';

const INVALID_BASE = 'This page is not set up correctly: unify-base-url must be https: (http: only on localhost).';

let opened: OpenSpy | undefined;

afterEach(() => {
  opened?.restore();
  opened = undefined;
  restoreFetch();
});

describe('<vault-connect> never sends the session JWT in clear (issue 14, finding 10)', () => {
  for (const url of ['http://unify.example.com', 'http://10.0.0.7:8080', 'http://127.0.0.1.nip.io', 'http://localhost.example.com', 'ftp://unify.example.com', 'unify.example.com']) {
    it(`unify-base-url="${url}": invalid_config, said in the panel, and no request carries the JWT`, async () => {
      const stub = stubFetch(() => listResponse([]));
      const token = forgedToken();
      const { el, events } = await mount({ token, unifyBaseUrl: url });
      await events.waitFor('vault-connect-error');
      expect(events.errors).to.deep.equal([{ code: 'invalid_config', message: INVALID_BASE, retryable: false }]);
      await el.updateComplete;
      expect(text(statePanel(el))).to.contain(INVALID_BASE);
      expect(stub.calls.filter((call) => (call.headers.get('authorization') ?? '').includes(token.split('.')[2]))).to.deep.equal([]);
      expect(stub.calls).to.have.length(0);
    });
  }

  for (const url of ['http://localhost:4010', 'http://127.0.0.9:4010', 'http://[::1]:4010', 'https://unify.example.com']) {
    it(`unify-base-url="${url}" is allowed`, async () => {
      const origin = new URL(url).origin;
      stubFetch((call) => (call.url.origin === origin && call.url.pathname === '/vault/connections' ? listResponse([connection({ service_id: 'salesforce' })]) : undefined));
      const { events } = await mount({ token: forgedToken(), unifyBaseUrl: url });
      await events.waitFor('vault-connect-ready');
      expect(events.errors).to.deep.equal([]);
    });
  }

  it('vault-url="http://…": Hosted Vault is not opened with the JWT; invalid_config in the row, the popup closed', async () => {
    const popup = fakePopup();
    opened = spyOpen(() => popup);
    const { el, events } = await mountWithList([connection({ service_id: 'pipedrive', state: 'available' })]);
    el.openMode = 'popup';
    el.callbackUrl = CALLBACK_URL;
    el.vaultUrl = 'http://vault.example.com';
    await el.updateComplete;
    button(row(el, 'pipedrive'), 'connect').click();
    await events.waitFor('vault-connect-error');
    const message = 'This page is not set up correctly: vault-url must be https: (http: only on localhost).';
    expect(events.errors[0]).to.deep.equal({ code: 'invalid_config', message, retryable: false });
    await until(() => popup.closed, 'the popup is closed');
    expect(popup.href).to.equal('about:blank');
    await el.updateComplete;
    expect(text(row(el, 'pipedrive').querySelector('[part="row-error"]'))).to.equal(message);
  });
});

describe('<vault-connect> sends cookies to a host endpoint on another origin (issue 14, finding 5)', () => {
  it('session-url on another origin: credentials "include"; on this origin: "same-origin"', async () => {
    const token = forgedToken();
    const stub = stubFetch((call) => {
      if (call.url.pathname === '/api/session') return jsonResponse({ session_token: token });
      if (call.url.pathname === '/vault/connections') return listResponse([]);
      return undefined;
    });
    for (const [sessionUrl, credentials] of [
      ['https://api.example.com/api/session', 'include'],
      ['/api/session', 'same-origin'],
      [`${location.origin}/api/session`, 'same-origin'],
    ] as const) {
      const { events } = await mount({ sessionUrl, unifyBaseUrl: 'https://unify.example.com' });
      await events.waitFor('vault-connect-ready');
      const call = stub.calls.filter((c) => c.url.pathname === '/api/session').at(-1);
      expect(call?.credentials, sessionUrl).to.equal(credentials);
    }
  });

  it('vaultre-exchange-url on another origin: every call "include"', async () => {
    const host = stubHost({
      route: (call) => (call.url.origin === 'https://api.example.com' ? jsonResponse({ connected: false }) : undefined),
    });
    const { el } = await mountVaultre({ exchangeUrl: 'https://api.example.com/api/vaultre' });
    await settledRow(el);
    const calls = host.stub.calls.filter((c) => c.url.origin === 'https://api.example.com');
    expect(calls).to.have.length(1);
    expect(calls[0].credentials).to.equal('include');
    expect(shadow(el).querySelector('[data-service-id="vaultre"] [part="row-error"]') === null, 'no error').to.equal(true);
  });
});
