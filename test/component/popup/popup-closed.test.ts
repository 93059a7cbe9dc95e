/**
 * A popup that reads closed through its grace period (the element's own 2 s, polled every 500 ms) with no result, in
 * `open-mode="popup"` (Hosted Vault) and `open-mode="direct"`: `vault-connect-error` `popup_closed` (retryable) within
 * 5 s, the method's promise settles, the row says only what is known and offers Try again; the flow goes on listening,
 * so a late result (what COOP makes of a popup the user is still in) still connects and fires its change event. A
 * timeout after that is shown but not reported twice. The developer reads one `console.warn` per cause: a blocked popup,
 * and a popup severed from the page (a result after `popup_closed`).
 *
 * The popups are stand-ins (`fakePopup()`: the element navigates them, the test flips `closed`); the Vault API is a
 * stub. A late result arrives as the callback page in the popup would send it without an opener: over the
 * BroadcastChannel, carrying the flow record's id (Hosted Vault) or the flow's nonce (direct).
 */
import { expect } from '@open-wc/testing';
import type { VaultConnect } from '../../../src/index.ts';
import type { Connection } from '../../../src/internal/api/schemas.ts';
import { CALLBACK_MESSAGE_TYPE } from '../../../src/internal/popup/callback-message.ts';
import { PENDING_KEY } from '../../../src/internal/popup/redirect-keys.ts';
import { popupFlowResources } from '../../../src/internal/popup/resources.ts';
import { fakeApi, type FakeApi } from '../support/a11y-helpers.ts';
import {
  actionsOf,
  badge,
  button,
  connection,
  type EventLog,
  mountWithList,
  offeredActions,
  restoreFetch,
  row,
  STUB_API,
  text,
  until,
} from '../support/helpers.ts';
import { broadcast, fakePopup, within, type FakePopup } from '../support/popup-helpers.ts';
import { CALLBACK_URL, spyOpen, type OpenSpy } from '../support/vaultre-helpers.ts';

const HOSTED_VAULT = new URL('/__hosted-vault', location.href).href;
const SAYS = 'We lost track of the window. If you finished, this updates by itself; otherwise try again.';

type Mode = 'popup' | 'direct';

/** HubSpot, not connected, with an authorize URL on the stub API's origin (so `direct` can open it). */
const HUBSPOT: Connection = connection({
  service_id: 'hubspot',
  state: 'available',
  enabled: false,
  authorize_url: `${STUB_API}/vault/authorize/hubspot/sandbox-app?state=opaque`,
});

/** Pipedrive, the same for a second flow on the same element. */
const PIPEDRIVE: Connection = { ...HUBSPOT, id: 'crm+pipedrive', service_id: 'pipedrive', name: 'Pipedrive', authorize_url: `${STUB_API}/vault/authorize/pipedrive/sandbox-app?state=opaque` };

let opened: OpenSpy | undefined;
let warnings: string[] = [];
const originalWarn = console.warn;

beforeEach(() => {
  warnings = [];
  console.warn = (...args: unknown[]) => void warnings.push(args.map(String).join(' '));
});

afterEach(() => {
  console.warn = originalWarn;
  opened?.restore();
  opened = undefined;
  restoreFetch();
  sessionStorage.clear();
});

interface Started {
  el: VaultConnect;
  events: EventLog;
  api: FakeApi;
  popup: FakePopup & Window;
  /** The promise of `openConnection()`. */
  done: Promise<void>;
}

/** Mounts in `mode`, starts `openConnection('hubspot')` and waits until the stand-in popup is at the provider. */
async function start(mode: Mode, setup: (el: VaultConnect) => void = () => undefined): Promise<Started> {
  const api = fakeApi([HUBSPOT, PIPEDRIVE]);
  const { el, events } = await mountWithList([], { route: api.route });
  el.openMode = mode;
  el.callbackUrl = CALLBACK_URL;
  el.vaultUrl = HOSTED_VAULT;
  setup(el);
  const popup = fakePopup();
  opened = spyOpen(() => popup);
  const done = el.openConnection('hubspot');
  await until(() => popup.href !== 'about:blank', 'the popup goes to the provider');
  return { el, events, api, popup, done };
}

/** The late result, as the callback page in the (severed) popup relays it. */
function lateResult(mode: Mode, popup: FakePopup & Window): void {
  if (mode === 'popup') {
    const record = JSON.parse(popup.sessionStorage.getItem(PENDING_KEY) ?? '{}') as { id?: string };
    broadcast({ type: CALLBACK_MESSAGE_TYPE, id: `late-${crypto.randomUUID()}`, flow: record.id, query: { authorizedConnection: 'hubspot' }, fragment: {} });
  } else {
    const nonce = new URL(popup.href).searchParams.get('nonce') ?? '';
    broadcast({ type: CALLBACK_MESSAGE_TYPE, id: `late-${crypto.randomUUID()}`, query: {}, fragment: { nonce } });
  }
}

function rowError(el: VaultConnect): string {
  return text(row(el, 'hubspot').querySelector('[part="row-error"]'));
}

for (const mode of ['popup', 'direct'] as const) {
  describe(`<vault-connect> open-mode="${mode}": a popup that reads closed`, () => {
    it('popup_closed (retryable) within 5 s; openConnection() settles; the row says only what is known and offers Try again', async () => {
      const { el, events, popup, done } = await start(mode);
      const closedAt = performance.now();
      popup.closed = true;
      await events.waitFor('vault-connect-error');
      const elapsed = performance.now() - closedAt;
      expect(elapsed, 'after the grace period').to.be.at.least(1_900);
      expect(elapsed, 'within 5 s').to.be.below(5_000);
      expect(events.errors).to.deep.equal([{ code: 'popup_closed', message: SAYS, retryable: true }]);
      expect((await within(done, 100)).status, 'openConnection() settled').to.equal('resolved');
      await el.updateComplete;
      expect(rowError(el)).to.equal(SAYS);
      expect(await offeredActions(row(el, 'hubspot'))).to.include('retry');
      expect(row(el, 'hubspot').getAttribute('aria-busy')).to.equal('false');
      expect(popupFlowResources().listeners, 'the flow still listens').to.be.greaterThan(0);
      el.cancel();
    });

    it('a late result after popup_closed still connects: the row updates, vault-connection-change fires, one warning', async () => {
      const { el, events, api, popup, done } = await start(mode);
      popup.closed = true;
      await events.waitFor('vault-connect-error');
      await done;
      api.store.get('crm/hubspot')!.state = 'callable';
      api.store.get('crm/hubspot')!.enabled = true;
      lateResult(mode, popup);
      await events.waitFor('vault-connection-change');
      expect(events.changes.map((c) => c.state)).to.deep.equal(['callable']);
      await el.updateComplete;
      expect(text(badge(row(el, 'hubspot')))).to.equal('Connected');
      expect(rowError(el), 'the hint is gone').to.equal('');
      expect(actionsOf(row(el, 'hubspot'))).not.to.include('retry');
      expect(events.errors.map((e) => e.code)).to.deep.equal(['popup_closed']);
      expect(popupFlowResources()).to.deep.equal({ listeners: 0, timers: 0, channels: 0 });
      expect(warnings).to.have.length(1);
      expect(warnings[0]).to.contain('Cross-Origin-Opener-Policy').and.contain('same-origin-allow-popups').and.contain('callback-url');
      expect(warnings[0]).not.to.contain(popup.href);
    });
  });
}

describe('<vault-connect> a popup flow that goes on listening after popup_closed', () => {
  it('times out at flow-timeout: the row says so, Try again stays, and nothing is reported twice', async () => {
    const { el, events, popup } = await start('direct', (element) => (element.flowTimeout = 3_500));
    popup.closed = true;
    await events.waitFor('vault-connect-error');
    await until(() => rowError(el) === 'This took too long and was stopped.', 'the row says it timed out', 4_000);
    expect(events.errors.map((e) => e.code)).to.deep.equal(['popup_closed']);
    expect(await offeredActions(row(el, 'hubspot'))).to.include('retry');
    expect(popupFlowResources()).to.deep.equal({ listeners: 0, timers: 0, channels: 0 });
    expect(warnings, 'no severed popup: no warning').to.deep.equal([]);
  });

  it('Try again opens a new popup; the first flow stops listening and its late result is not taken', async () => {
    const { el, events, api, popup } = await start('direct');
    popup.closed = true;
    await events.waitFor('vault-connect-error');
    await el.updateComplete;
    const second = fakePopup();
    opened!.restore();
    opened = spyOpen(() => second);
    button(row(el, 'hubspot'), 'retry').click();
    await until(() => second.href !== 'about:blank', 'the new popup goes to the provider');
    await el.updateComplete;
    expect(rowError(el), 'the new flow clears the hint').to.equal('');
    api.store.get('crm/hubspot')!.state = 'callable';
    lateResult('direct', popup);
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(events.changes, 'the first flow’s nonce is not the second’s').to.deep.equal([]);
    lateResult('direct', second);
    await events.waitFor('vault-connection-change');
    expect(events.errors.map((e) => e.code)).to.deep.equal(['popup_closed']);
  });
});

describe('<vault-connect> developer warnings for popups', () => {
  it('a blocked popup: one console.warn per element naming the cause and the fix, however often it happens', async () => {
    const api = fakeApi([HUBSPOT]);
    const { el, events } = await mountWithList([], { route: api.route });
    el.openMode = 'popup';
    el.callbackUrl = CALLBACK_URL;
    el.vaultUrl = HOSTED_VAULT;
    opened = spyOpen(() => null);
    await el.openConnection('hubspot');
    await el.updateComplete;
    button(row(el, 'hubspot'), 'retry').click();
    await events.waitFor('vault-connect-error', 2);
    expect(events.errors.map((e) => e.code)).to.deep.equal(['popup_blocked', 'popup_blocked']);
    expect(warnings).to.have.length(1);
    expect(warnings[0]).to.contain('blocked a popup').and.contain('click handler');
  });

  it('a severed popup warns once per element, not again for a second one', async () => {
    const { el, events, api, popup } = await start('direct');
    popup.closed = true;
    await events.waitFor('vault-connect-error');
    api.store.get('crm/hubspot')!.state = 'callable';
    lateResult('direct', popup);
    await events.waitFor('vault-connection-change');
    expect(warnings).to.have.length(1);

    const again = fakePopup();
    opened!.restore();
    opened = spyOpen(() => again);
    void el.openConnection('pipedrive');
    await until(() => again.href !== 'about:blank', 'the second popup goes to the provider');
    again.closed = true;
    await events.waitFor('vault-connect-error', 2);
    api.store.get('crm/pipedrive')!.state = 'callable';
    lateResult('direct', again);
    await events.waitFor('vault-connection-change', 2);
    expect(warnings, 'still one').to.have.length(1);
  });
});
