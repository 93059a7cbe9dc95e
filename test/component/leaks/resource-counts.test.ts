/**
 * Leaks, as counts: 200 flows of each kind started and cancelled, and 100 element attach/detach cycles (most of them in
 * the middle of a flow), leave the page as they found it — listeners on window, document, the element and the nodes in
 * the document, timers (timeouts, intervals, animation frames, idle callbacks), BroadcastChannels, iframes, popups and
 * storage keys — and no flow rejects unhandled. The heap side of the same cycles is `bench/leaks.ts`.
 *
 * The probe (`leak-probe.ts`) is imported first: it patches `addEventListener`/`removeEventListener`, the timer
 * functions, `window.open` and `BroadcastChannel` before the element module is evaluated.
 *
 * The element talks to the sandbox's Vault API (real HTTP, a real session). The embedded Vault is the sandbox's Vault JS
 * modal set as `vaultModal` (`createSandboxVaultModal`: an iframe and a `message` listener per open). Popups are
 * stand-ins that `window.open` hands out (`fakePopup()`: an object the element navigates and closes), except one cycle
 * in 50 of each popup flow, which opens a real window. The VaultRE host endpoint is a fetch stub (`stubHost`).
 *
 * A flow is cancelled (`el.cancel()`, which aborts the flow's AbortController) at one of three points in turn: at once
 * (before its first `await`), once it is open (the popup sent to the provider; the modal opened, and every fourth time
 * shown), or after a short, varying delay (somewhere in between). The attach/detach cycles end flows the other way:
 * removing the element aborts them (`hostDisconnected`); they also remove new elements while they load, and while a
 * 1,000-row list (a stubbed Vault API) is still drawing its slices.
 */
import { probe } from '../support/leak-probe.ts';
import { expect } from '@open-wc/testing';
import type { VaultConnect, VaultModal, VaultModalOptions } from '../../../src/index.ts';
import { popupFlowResources } from '../../../src/internal/popup/resources.ts';
import { createSandboxVaultModal } from '../../../src/sandbox/browser/sandbox-vault-modal.ts';
import type { LeakCounts } from '../support/leak-instrumentation.ts';
import {
  EventLog,
  STUB_API,
  connection,
  forgedToken,
  listResponse,
  restoreFetch,
  rows,
  sandbox,
  sandboxToken,
  sessionUrl,
  shadow,
  uniqueConsumer,
} from '../support/helpers.ts';
import { fakePopup, type FakePopup } from '../support/popup-helpers.ts';
import { AUTHORIZE_BASE, CALLBACK_URL, CLIENT_ID, EXCHANGE_PATH, stubHost } from '../support/vaultre-helpers.ts';

const CYCLES = 200;
const ATTACH_CYCLES = 100;
/**
 * What happens between attach and detach, by cycle number modulo `KINDS`: 0 a new element, fully loaded; 1 a new element
 * still loading; 2 a new element on a long list, while it draws its slices; 3–6 the reused element in the middle of a
 * modal, Hosted Vault, direct and VaultRE flow.
 */
const KINDS = 7;
/** Rows of the long list (the element draws 40, then 400 a task). */
const LONG_LIST = 1000;
/** One popup flow in this many opens a real window (a real window costs a renderer; the others are stand-ins). */
const REAL_POPUP_EVERY = 50;
/** Hosted Vault on this origin: a real popup lands on the test server's 404 page, never on the network. */
const HOSTED_VAULT = new URL('/__hosted-vault', location.href).href;

type Flow = 'modal' | 'hosted' | 'direct' | 'vaultre';
const FLOWS: readonly Flow[] = ['modal', 'hosted', 'direct', 'vaultre'];
type Stage = 'at-once' | 'open' | 'in-between';
const STAGES: readonly Stage[] = ['at-once', 'open', 'in-between'];

/** What goes by itself once a flow has ended: pending timers, a closing popup, a modal's frame. */
const TRANSIENT = ['timeouts', 'intervals', 'animationFrames', 'idleCallbacks', 'broadcastChannels', 'iframes', 'popups'] as const;

/** The sandbox's Vault JS modal, counting opens and closes. */
class SandboxModal implements VaultModal {
  readonly #inner: VaultModal;
  opens = 0;
  closes = 0;

  constructor(vaultJsUrl: string) {
    this.#inner = createSandboxVaultModal(vaultJsUrl);
  }

  open(options: VaultModalOptions): void {
    this.opens++;
    this.#inner.open(options);
  }

  close(): void {
    this.closes++;
    this.#inner.close();
  }

  /** Whether a modal frame is shown (Vault JS loaded in it and said it is ready). */
  static showing(): boolean {
    return [...document.querySelectorAll<HTMLIFrameElement>('iframe[title="Vault"]')].some((frame) => frame.style.display === 'block');
  }
}

/** The popups `window.open` hands out: stand-ins, or a real window when `realNext()` asked for one. */
class Popups {
  readonly standIns: (FakePopup & Window)[] = [];
  readonly real: Window[] = [];
  #nextReal = false;

  constructor() {
    probe.openWith((url, target, features) => {
      if (this.#nextReal) {
        this.#nextReal = false;
        const win = probe.realOpen(url, target, features);
        if (win) this.real.push(win);
        return win;
      }
      const popup = fakePopup();
      this.standIns.push(popup);
      return popup;
    });
  }

  get count(): number {
    return this.standIns.length + this.real.length;
  }

  realNext(): void {
    this.#nextReal = true;
  }

  restore(): void {
    probe.openWith();
    for (const win of this.real) if (!win.closed) win.close();
  }
}

/** A popup's address: '' for none, 'cross-origin' once a real one has left this origin (it left about:blank then). */
function hrefOf(win: Window | undefined): string {
  if (!win) return '';
  try {
    return win.location.href;
  } catch {
    return 'cross-origin';
  }
}

interface Setup {
  vaultApiUrl: string;
  vaultJsUrl: string;
  consumer: string;
}

/** A `<vault-connect>` (not attached) with the Apideck flows and, with `vaultre`, the VaultRE row configured. */
function createElement(
  env: Setup,
  options: { apideck?: boolean; vaultre?: boolean; modal?: VaultModal; token?: string } = {},
): { el: VaultConnect; events: EventLog } {
  const el = document.createElement('vault-connect');
  const events = new EventLog(el);
  if (options.apideck ?? true) {
    if (options.token) el.token = options.token;
    else el.setAttribute('session-url', sessionUrl(env.consumer));
    el.setAttribute('unify-base-url', env.vaultApiUrl);
    el.setAttribute('vault-url', HOSTED_VAULT);
    el.setAttribute('callback-url', CALLBACK_URL);
  }
  if (options.vaultre) {
    el.setAttribute('vaultre-client-id', CLIENT_ID);
    el.setAttribute('vaultre-redirect-uri', CALLBACK_URL);
    el.setAttribute('vaultre-exchange-url', EXCHANGE_PATH);
    el.setAttribute('vaultre-authorize-url', AUTHORIZE_BASE);
  }
  if (options.modal) el.vaultModal = options.modal;
  return { el, events };
}

/** Attaches and waits until the list (and the VaultRE row's status, when configured) is in. */
async function attach(el: VaultConnect, events: EventLog): Promise<void> {
  document.body.append(el);
  const apideck = el.hasAttribute('unify-base-url');
  await probe.waitFor(
    () =>
      (!apideck || (events.ready.length > 0 && shadow(el).querySelector('[data-service-id="xero"]'))) &&
      (!el.vaultreClientId || shadow(el).querySelector('[data-service-id="vaultre"][aria-busy="false"]')),
    `the element to be ready (events: ${events.summary()})`,
  );
  await el.updateComplete;
}

/** Whether a popup flow sent its popup to the provider, or the modal shows. */
function isOpen(flow: Flow, popup: Window | undefined, env: Setup): boolean {
  const href = hrefOf(popup);
  switch (flow) {
    case 'modal':
      return SandboxModal.showing();
    case 'hosted':
      return href.startsWith(`${HOSTED_VAULT}/integrations/accounting/xero?jwt=`);
    case 'direct':
      return href === 'cross-origin' || (href.startsWith(env.vaultApiUrl) && new URL(href).searchParams.has('nonce'));
    case 'vaultre':
      return href.startsWith(`${AUTHORIZE_BASE}/oauth-authorize.cgi?`);
  }
}

/** Starts a flow through the public API (Xero: an OAuth connection `direct` can open); settles when the flow ends. */
function start(el: VaultConnect, flow: Flow): Promise<void> {
  if (flow === 'vaultre') return el.connectVaultre();
  el.openMode = flow === 'modal' ? 'modal' : flow === 'hosted' ? 'popup' : 'direct';
  return el.openConnection('xero', 'accounting');
}

/** Resolves when `promise` does, or rejects after `ms`: a flow that never settles is a leak too. */
async function settles(promise: Promise<unknown>, what: string, ms = 5000): Promise<void> {
  let timer = 0;
  const limit = new Promise<never>((_, reject) => {
    timer = window.setTimeout(() => reject(new Error(`${what} did not settle`)), ms);
  });
  try {
    await Promise.race([promise, limit]);
  } finally {
    window.clearTimeout(timer);
  }
}

/** What was registered since `mark` and is still there, with where, identical lines counted. */
function leftovers(mark: ReadonlySet<object>, watched: readonly EventTarget[] = [], withListeners = true): string {
  const lines = new Map<string, number>();
  for (const line of probe.since(mark, watched)) {
    if (withListeners || !line.includes('Listeners: ')) lines.set(line, (lines.get(line) ?? 0) + 1);
  }
  return [...lines].map(([line, count]) => (count > 1 ? `${count} × ${line}` : line)).join('\n  ') || '(nothing)';
}

/** The counts once the transient ones are back at `baseline`: the steady state of an idle element. */
async function quietCounts(baseline: LeakCounts, watched: readonly EventTarget[], mark: ReadonlySet<object>): Promise<LeakCounts> {
  const quiet = () => {
    const now = probe.counts(watched);
    return TRANSIENT.every((key) => now[key] === baseline[key]);
  };
  await probe.waitFor(quiet, 'timers, channels, frames and popups to go').catch(() => {
    expect(probe.counts(watched), `timers, channels, frames or popups stay; registered since the start:\n  ${leftovers(mark, watched, false)}`).to.include(
      Object.fromEntries(TRANSIENT.map((key) => [key, baseline[key]])),
    );
  });
  return probe.counts(watched);
}

/** Expects `actual` to equal `expected`, naming what is still registered since `mark` (and where it was registered). */
function expectBack(actual: LeakCounts, expected: LeakCounts, mark: ReadonlySet<object>, label: string, watched: readonly EventTarget[] = []): void {
  expect(actual, `${label}; registered since and still there:\n  ${leftovers(mark, watched)}`).to.deep.equal(expected);
}

describe('<vault-connect> leaves nothing behind (resource counts)', function () {
  this.timeout(60_000);
  let env: Setup;
  const unhandled: string[] = [];
  const onUnhandled = (event: PromiseRejectionEvent) => {
    unhandled.push(event.reason instanceof Error ? (event.reason.stack ?? event.reason.message) : String(event.reason));
    event.preventDefault();
  };

  before(async () => {
    const { vaultApiUrl, vaultJsUrl } = await sandbox();
    // Vault JS through `localhost`: another origin than this page (another port) but the same site, so that a modal's
    // iframe does not start a renderer process of its own each time (slow on a busy machine).
    env = { vaultApiUrl, vaultJsUrl: vaultJsUrl.replace('//127.0.0.1:', '//localhost:'), consumer: uniqueConsumer('leaks') };
    window.addEventListener('unhandledrejection', onUnhandled);
  });

  after(() => {
    window.removeEventListener('unhandledrejection', onUnhandled);
  });

  beforeEach(() => {
    unhandled.length = 0;
  });

  afterEach(() => {
    restoreFetch();
  });

  it('the probe is installed before the element module loads, and each resource moves its own count', () => {
    expect(probe.installedBeforeElement).to.be.true;
    expect(customElements.get('vault-connect')).to.be.a('function');
    const host = document.createElement('div');
    const root = host.attachShadow({ mode: 'open' });
    const inner = document.createElement('span');
    root.append(inner);
    document.body.append(host);
    const watched = new EventTarget();
    const before = probe.counts([watched]);

    const noop = () => undefined;
    window.addEventListener('message', noop);
    window.addEventListener('message', noop); // a duplicate is not a second listener
    window.addEventListener('message', noop, true); // another phase is
    document.addEventListener('click', noop, { once: true });
    inner.addEventListener('click', noop);
    watched.addEventListener('ping', noop);
    const controller = new AbortController();
    controller.signal.addEventListener('abort', noop);
    window.addEventListener('storage', noop, { signal: controller.signal });
    const timeout = setTimeout(noop, 60_000);
    const interval = setInterval(noop, 60_000);
    const frame = requestAnimationFrame(noop);
    const channel = new BroadcastChannel('leak-probe-self-test');
    const iframe = document.createElement('iframe');
    root.append(iframe);
    const popup = fakePopup();
    probe.openWith(() => popup);
    window.open('about:blank');
    sessionStorage.setItem('leak-probe-self-test', '1');
    expect(probe.counts([watched])).to.deep.equal({
      ...before,
      windowListeners: before.windowListeners + 3,
      documentListeners: before.documentListeners + 1,
      watchedListeners: before.watchedListeners + 1,
      connectedNodeListeners: before.connectedNodeListeners + 1,
      signalListeners: before.signalListeners + 1,
      timeouts: before.timeouts + 1,
      intervals: before.intervals + 1,
      animationFrames: before.animationFrames + 1,
      broadcastChannels: before.broadcastChannels + 1,
      iframes: before.iframes + 1,
      popups: before.popups + 1,
      sessionStorageKeys: [...before.sessionStorageKeys.split(',').filter(Boolean), 'leak-probe-self-test'].sort().join(','),
    });
    expect(probe.since(new Set(), [watched]).join('\n')).to.contain('"message" on window').and.contain('resource-counts.test.ts');

    window.removeEventListener('message', noop);
    window.removeEventListener('message', noop, { capture: true });
    document.dispatchEvent(new Event('click')); // a `once` listener goes when it runs
    controller.abort(); // a listener added with a signal goes when it fires; a fired signal's own listeners no longer count
    host.remove(); // listeners on nodes out of the document go with them
    watched.removeEventListener('ping', noop);
    clearTimeout(timeout);
    clearInterval(interval);
    cancelAnimationFrame(frame);
    channel.close();
    popup.close();
    probe.openWith();
    sessionStorage.removeItem('leak-probe-self-test');
    expect(probe.counts([watched])).to.deep.equal(before);
  });

  for (const flow of FLOWS) {
    it(`${CYCLES} ${flow} flows started and cancelled leave nothing behind`, async () => {
      const baseline = probe.counts();
      const mark = probe.mark();
      const popups = new Popups();
      const modal = flow === 'modal' ? new SandboxModal(env.vaultJsUrl) : undefined;
      if (flow === 'vaultre') stubHost();
      const { el, events } = createElement(env, { apideck: flow !== 'vaultre', vaultre: flow === 'vaultre', ...(modal ? { modal } : {}) });
      try {
        await attach(el, events);

        // Cycles that waited until the modal's own open count rose: each of those certainly opened it.
        let waitedForOpen = 0;
        const cycle = async (index: number, stage: Stage) => {
          const realPopup = flow !== 'modal' && index % REAL_POPUP_EVERY === 0;
          if (realPopup) popups.realNext();
          const handedOut = popups.count;
          const opensBefore = modal?.opens ?? 0;
          const popup = () => (realPopup ? popups.real.at(-1) : popups.standIns.at(-1));
          const done = start(el, flow);
          if (stage === 'open') {
            const byCount = flow === 'modal' && index % (STAGES.length * 4) !== 1;
            const open = byCount ? () => modal!.opens > opensBefore : () => isOpen(flow, popup(), env);
            await probe.waitFor(open, `the ${flow} flow to open (cycle ${index})`);
            if (byCount) waitedForOpen++;
          } else if (stage === 'in-between') {
            await probe.tick(index % 7);
          }
          el.cancel();
          await settles(done, `the ${flow} flow of cycle ${index}`);
          if (flow !== 'modal') {
            expect(popups.count, `one popup per flow (cycle ${index})`).to.equal(handedOut + 1);
            const win = popup();
            await probe.waitFor(() => win?.closed, `the popup of cycle ${index} to close`);
            if (!realPopup) expect((win as unknown as FakePopup).closeCalls, `cycle ${index} closes its popup once`).to.equal(1);
          }
        };

        // Warm-up: the lazy chunks load once. Then the attached element's steady state.
        await cycle(0, 'open');
        const quiet = await quietCounts(baseline, [el], mark);
        const quietMark = probe.mark();
        const before = { popups: popups.count, opens: modal?.opens ?? 0 };

        for (let index = 1; index <= CYCLES; index++) await cycle(index, STAGES[index % STAGES.length]);

        // The flows really ran: each popup flow got its popup, each modal flow but those cancelled at once its modal,
        // and none ended in an error (a cancel is the user's own doing) or an unhandled rejection.
        if (modal) {
          expect(waitedForOpen, 'cycles that waited for the modal').to.be.greaterThan(CYCLES / STAGES.length / 2);
          expect(modal.opens - before.opens, 'modal opens').to.be.at.least(waitedForOpen - 1);
          expect(modal.closes, 'every modal opened is closed').to.equal(modal.opens);
        } else {
          expect(popups.count - before.popups, 'popups opened').to.equal(CYCLES);
          expect(popups.real.length, 'real popups').to.equal(Math.floor(CYCLES / REAL_POPUP_EVERY) + 1);
        }
        expect(events.errors, events.summary()).to.deep.equal([]);
        expect(unhandled, 'unhandled rejections').to.deep.equal([]);
        expect(popupFlowResources()).to.deep.equal({ listeners: 0, timers: 0, channels: 0 });

        const attached = await probe.settle(quiet, { watched: [el] });
        expectBack(attached, quiet, quietMark, `after ${CYCLES} ${flow} flows, the element still attached`, [el]);
      } finally {
        el.remove();
        popups.restore();
      }
      const end = await probe.settle(baseline);
      expectBack(end, baseline, mark, `after ${CYCLES} ${flow} flows and the element removed`);
    });
  }

  it(`${ATTACH_CYCLES} attach/detach cycles, most in the middle of a flow, leave nothing behind`, async () => {
    const baseline = probe.counts();
    const mark = probe.mark();
    const popups = new Popups();
    const modal = new SandboxModal(env.vaultJsUrl);
    // A long list (it renders in slices, a task each) from a stubbed Vault API, beside the sandbox's.
    const longList = Array.from({ length: LONG_LIST }, (_, i) => connection({ service_id: `service-${i}` }));
    stubHost({
      route: (call) =>
        call.url.origin === STUB_API && call.method === 'GET' && call.url.pathname === '/vault/connections' ? listResponse(longList) : undefined,
    });
    // One element attached and detached again and again, and new ones, which take a session token the sandbox made
    // for this consumer (instead of asking session-url each time).
    const reused = createElement(env, { vaultre: true, modal });
    const token = await sandboxToken(env.consumer);
    const detachedMidFlow: Flow[] = [];
    let detachedMidSlices = 0;
    try {
      const cycle = async (index: number) => {
        const kind = index % KINDS;
        if (kind === 2) {
          // A new element on a long list, removed as soon as rows show (mostly before the last slice is drawn).
          const long = createElement(env, { token: forgedToken() });
          long.el.setAttribute('unify-base-url', STUB_API);
          document.body.append(long.el);
          await probe.waitFor(() => rows(long.el).length > 0, `the long list's first rows (cycle ${index})`);
          if (rows(long.el).length < LONG_LIST) detachedMidSlices++;
          long.el.remove();
          expect(long.events.errors, long.events.summary()).to.deep.equal([]);
          return;
        }
        if (kind <= 1) {
          // A new element: fully loaded, or removed while it is still loading (its requests are aborted).
          const fresh = createElement(env, { vaultre: true, modal, token });
          if (kind === 0) await attach(fresh.el, fresh.events);
          else document.body.append(fresh.el);
          fresh.el.remove();
          expect(fresh.events.errors, fresh.events.summary()).to.deep.equal([]);
          return;
        }
        // The same element again, removed in the middle of a flow.
        const { el, events } = reused;
        await attach(el, events);
        const flow = FLOWS[kind - 3];
        const handedOut = popups.standIns.length;
        const opensBefore = modal.opens;
        const done = start(el, flow);
        await probe.waitFor(() => (flow === 'modal' ? modal.opens > opensBefore : isOpen(flow, popups.standIns.at(-1), env)), `${flow} open (cycle ${index})`);
        el.remove();
        await settles(done, `the ${flow} flow of cycle ${index}, detached`);
        detachedMidFlow.push(flow);
        if (flow === 'modal') {
          expect(modal.closes, `cycle ${index} closes the modal`).to.equal(modal.opens);
        } else {
          expect(popups.standIns.length).to.equal(handedOut + 1);
          expect(popups.standIns.at(-1)!.closeCalls, `cycle ${index} closes its popup`).to.equal(1);
        }
        expect(events.errors, events.summary()).to.deep.equal([]);
      };

      // Warm-up: each kind once; then the reused element's steady state, attached and detached.
      for (let index = 0; index < KINDS; index++) await cycle(index);
      await attach(reused.el, reused.events);
      const attachedStart = await quietCounts(baseline, [reused.el], mark);
      reused.el.remove();
      const detachedStart = await quietCounts(baseline, [reused.el], mark);
      const cyclesMark = probe.mark();
      detachedMidFlow.length = 0;
      detachedMidSlices = 0;

      for (let index = 0; index < ATTACH_CYCLES; index++) await cycle(index);

      const midFlow = Array.from({ length: ATTACH_CYCLES }, (_, index) => index % KINDS).filter((kind) => kind >= 3).length;
      expect(detachedMidFlow.length, 'cycles detached in the middle of a flow').to.equal(midFlow);
      expect(detachedMidSlices, 'long lists removed before their last slice').to.be.greaterThan(0);
      expect(unhandled, 'unhandled rejections').to.deep.equal([]);
      expect(popupFlowResources()).to.deep.equal({ listeners: 0, timers: 0, channels: 0 });
      const detached = await probe.settle(detachedStart, { watched: [reused.el] });
      expectBack(detached, detachedStart, cyclesMark, `after ${ATTACH_CYCLES} cycles, the reused element detached`, [reused.el]);
      await attach(reused.el, reused.events);
      const attached = await probe.settle(attachedStart, { watched: [reused.el] });
      expectBack(attached, attachedStart, cyclesMark, `after ${ATTACH_CYCLES} cycles, the reused element attached again`, [reused.el]);
    } finally {
      reused.el.remove();
      popups.restore();
    }
    const end = await probe.settle(baseline);
    expectBack(end, baseline, mark, `after ${ATTACH_CYCLES} attach/detach cycles`);
  });
});
