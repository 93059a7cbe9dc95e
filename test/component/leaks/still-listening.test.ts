/**
 * Leaks of the flows that go on listening after `popup_closed`: a Hosted Vault, a direct and a VaultRE flow whose popup
 * read closed through the grace period hold their listener, poll, timeout and BroadcastChannel until the flow ends,
 * and release them in each of the five ways it can end: the late result arrives, the flow times out, `cancel()`, a new
 * flow on the same element, and the element's removal. The counts are the leak probe's (`leak-probe.ts`, imported
 * first) and the popup engine's own (`popupFlowResources()`); at the end the page is as the test found it.
 *
 * All fifteen flows (three kinds × five endings, one element each) run side by side, so the grace period is waited for
 * once. Popups are stand-ins (`fakePopup()`) that `window.open` hands out; the Vault API and the VaultRE host endpoint
 * are fetch stubs.
 */
import { probe } from '../support/leak-probe.ts';
import { expect } from '@open-wc/testing';
import type { VaultConnect } from '../../../src/index.ts';
import type { Connection } from '../../../src/internal/api/schemas.ts';
import { CALLBACK_MESSAGE_TYPE } from '../../../src/internal/popup/callback-message.ts';
import { PENDING_KEY } from '../../../src/internal/popup/redirect-keys.ts';
import { popupFlowResources } from '../../../src/internal/popup/resources.ts';
import { fakeApi } from '../support/a11y-helpers.ts';
import { EventLog, STUB_API, connection, forgedToken, restoreFetch, shadow } from '../support/helpers.ts';
import { broadcast, fakePopup, type FakePopup } from '../support/popup-helpers.ts';
import { CALLBACK_URL, EXCHANGE_PATH, VaultreEvents, stubHost } from '../support/vaultre-helpers.ts';

type Kind = 'hosted' | 'direct' | 'vaultre';
type Ending = 'late result' | 'timeout' | 'cancel' | 'new flow' | 'disconnect';
const KINDS: readonly Kind[] = ['hosted', 'direct', 'vaultre'];
/** In this order: the timeouts' flows start last, so that they time out after `popup_closed`. */
const ENDINGS: readonly Ending[] = ['late result', 'cancel', 'new flow', 'disconnect', 'timeout'];
/** The `flow-timeout` of the flows that end by timing out: after the grace period, well before the others. */
const SHORT_TIMEOUT_MS = 6_000;
const HOSTED_VAULT = new URL('/__hosted-vault', location.href).href;

interface Flow {
  kind: Kind;
  ending: Ending;
  el: VaultConnect;
  events: EventLog;
  vaultre: VaultreEvents;
  /** The connection it opens (Hosted Vault and direct). */
  serviceId: string;
  popups: (FakePopup & Window)[];
  done?: Promise<void>;
}

const released = () => popupFlowResources();

describe('<vault-connect> flows that go on listening after popup_closed leave nothing behind', function () {
  this.timeout(60_000);

  afterEach(() => {
    probe.openWith();
    restoreFetch();
    sessionStorage.clear();
  });

  it('release their listener, timers and channel on a late result, a timeout, cancel(), a new flow and removal', async () => {
    const baseline = probe.counts();
    const mark = probe.mark();
    const unhandled: string[] = [];
    const onUnhandled = (event: PromiseRejectionEvent) => {
      unhandled.push(String(event.reason));
      event.preventDefault();
    };
    window.addEventListener('unhandledrejection', onUnhandled);

    const connections: Connection[] = [];
    for (const kind of ['hosted', 'direct'] as const) {
      for (const ending of ENDINGS) {
        const serviceId = `${kind}-${ending.replace(' ', '-')}`;
        connections.push(connection({ service_id: serviceId, state: 'available', authorize_url: `${STUB_API}/vault/authorize/${serviceId}/app?state=s` }));
      }
    }
    const api = fakeApi(connections);
    stubHost({ route: api.route });
    const handedOut: (FakePopup & Window)[] = [];
    probe.openWith(() => {
      const popup = fakePopup();
      handedOut.push(popup);
      return popup;
    });

    const flows: Flow[] = [];
    try {
      // Each element, its list (or VaultRE row) in, then its flow up to the provider.
      for (const ending of ENDINGS) {
        for (const kind of KINDS) {
          const el = document.createElement('vault-connect');
          const events = new EventLog(el);
          const vaultre = new VaultreEvents(el);
          const serviceId = `${kind}-${ending.replace(' ', '-')}`;
          if (kind === 'vaultre') {
            el.setAttribute('vaultre-exchange-url', EXCHANGE_PATH);
          } else {
            el.token = forgedToken();
            el.setAttribute('unify-base-url', STUB_API);
            el.setAttribute('callback-url', CALLBACK_URL);
            el.setAttribute('vault-url', HOSTED_VAULT);
            el.openMode = kind === 'hosted' ? 'popup' : 'direct';
          }
          if (ending === 'timeout') el.flowTimeout = SHORT_TIMEOUT_MS;
          document.body.append(el);
          await probe.waitFor(
            () => (kind === 'vaultre' ? shadow(el).querySelector('[data-service-id="vaultre"][aria-busy="false"]') : events.ready.length > 0),
            `${kind} element ready`,
          );
          const flow: Flow = { kind, ending, el, events, vaultre, serviceId, popups: [] };
          await startFlow(flow, handedOut);
          flows.push(flow);
        }
      }
      expect(released().channels, 'one channel per flow').to.equal(flows.length);

      // Every popup reads closed (the user closed it, or COOP severed it): popup_closed for each, and they listen on.
      for (const flow of flows) flow.popups[0].closed = true;
      await probe.waitFor(() => flows.every((f) => f.events.errors.length === 1), 'popup_closed from every flow', 10_000);
      for (const flow of flows) expect(flow.events.errors.map((e) => e.code), `${flow.kind}/${flow.ending}`).to.deep.equal(['popup_closed']);
      await Promise.all(flows.map((f) => f.done ?? Promise.resolve()));
      expect(released(), 'every flow still listens').to.deep.include({ channels: 15, timers: 30 });

      const of = (ending: Ending) => flows.filter((f) => f.ending === ending);

      for (const flow of of('late result')) lateResult(flow, api);
      await probe.waitFor(() => of('late result').every((f) => f.events.changes.length + f.vaultre.connects.length === 1), 'the late results');
      expect(released(), 'a late result ends its flow').to.deep.include({ channels: 12, timers: 24 });

      for (const flow of of('cancel')) flow.el.cancel();
      expect(released(), 'cancel() ends it').to.deep.include({ channels: 9, timers: 18 });

      for (const flow of of('new flow')) await startFlow(flow, handedOut);
      expect(released(), 'a new flow replaces it: each old one released, each new one listening').to.deep.include({ channels: 9, timers: 18 });
      for (const flow of of('new flow')) flow.el.cancel();
      expect(released()).to.deep.include({ channels: 6, timers: 12 });

      for (const flow of of('disconnect')) flow.el.remove();
      expect(released(), 'removing the element ends it').to.deep.include({ channels: 3, timers: 6 });

      await probe.waitFor(() => released().channels === 0, 'the timeouts', SHORT_TIMEOUT_MS + 5_000);
      expect(released()).to.deep.equal({ listeners: 0, timers: 0, channels: 0 });
      for (const flow of of('timeout')) expect(flow.events.errors.map((e) => e.code), 'a timeout after popup_closed is not reported again').to.deep.equal(['popup_closed']);
      expect(unhandled, 'unhandled rejections').to.deep.equal([]);
    } finally {
      for (const flow of flows) flow.el.remove();
      window.removeEventListener('unhandledrejection', onUnhandled);
    }
    const end = await probe.settle(baseline);
    expect(end, `registered since and still there:\n  ${probe.since(mark).join('\n  ')}`).to.deep.equal(baseline);
  });
});

/** Starts the flow's (next) popup flow and waits until its popup is at the provider. */
async function startFlow(flow: Flow, handedOut: (FakePopup & Window)[]): Promise<void> {
  const before = handedOut.length;
  const done = flow.kind === 'vaultre' ? flow.el.connectVaultre() : flow.el.openConnection(flow.serviceId);
  flow.done ??= done;
  await probe.waitFor(() => handedOut.length > before && handedOut[before].href !== 'about:blank', `the ${flow.kind} popup at the provider`);
  flow.popups.push(handedOut[before]);
}

/** What the callback page in the (severed) popup relays, over the BroadcastChannel; for Apideck, the API changed too. */
function lateResult(flow: Flow, api: ReturnType<typeof fakeApi>): void {
  const popup = flow.popups[0];
  const record = JSON.parse(popup.sessionStorage.getItem(PENDING_KEY) ?? '{}') as { id?: string; state?: string };
  const id = `late-${crypto.randomUUID()}`;
  if (flow.kind === 'vaultre') {
    broadcast({ type: CALLBACK_MESSAGE_TYPE, id, flow: record.id, query: { state: record.state ?? '' }, fragment: {}, outcome: { result: 'connected', body: { connected: true } } });
    return;
  }
  api.store.get(`crm/${flow.serviceId}`)!.state = 'callable';
  if (flow.kind === 'hosted') broadcast({ type: CALLBACK_MESSAGE_TYPE, id, flow: record.id, query: { authorizedConnection: flow.serviceId }, fragment: {} });
  else broadcast({ type: CALLBACK_MESSAGE_TYPE, id, query: {}, fragment: { nonce: new URL(popup.href).searchParams.get('nonce') ?? '' } });
}
