/**
 * axe-core finds nothing, and text meets WCAG AA contrast, in every state the element can be in — each in
 * `theme="light"` and `theme="dark"` (and `theme="auto"` under an emulated dark preference): the list in every status
 * (with hostile names, the health statuses and the Sandbox marker), loading, empty, no search matches, the list error,
 * waiting for a session, a busy row and a failed row, a row whose popup was blocked (retry and same-tab buttons), a row
 * whose Vault modal is loading or did not come up, the confirmation dialog, and the VaultRE row
 * idle, checking, waiting for the popup, exchanging, connected, denied, expired, failed and blocked. First, the same
 * states through `expect(el).to.be.accessible()` (chai-a11y-axe), the list against the sandbox.
 */
import { expect } from '@open-wc/testing';
import { emulateMedia } from '@web/test-runner-commands';
import type { VaultConnect } from '../../../src/index.ts';
import { expectAccessibleInBothThemes, backgroundOf, fakeCode, startVaultreFlow, vaultreReturns, type VaultreFlow } from '../support/a11y-helpers.ts';
import {
  badge,
  button,
  chooseAction,
  connection,
  dialog,
  errorResponse,
  FakeVaultModal,
  forgedToken,
  type Gate,
  gate,
  jsonResponse,
  mount,
  mountSandbox,
  mountWithList,
  restoreFetch,
  row,
  rows,
  shadow,
  STUB_API,
  stubFetch,
  text,
  until,
} from '../support/helpers.ts';
import { installFakeClock } from '../support/fake-clock.ts';
import { removeFrames } from '../support/popup-helpers.ts';
import { mountVaultre, settledRow, spyOpen, stubHost, vaultreRow, type OpenSpy } from '../support/vaultre-helpers.ts';

/** One connection per status, with names a hostile API could send. */
const EVERY_STATUS = [
  connection({ service_id: 'salesforce' }),
  connection({ service_id: 'hubspot', state: 'available', name: '<img src=x onerror=alert(1)>' }),
  connection({ service_id: 'pipedrive', state: 'callable', enabled: false }),
  connection({ service_id: 'zoho-crm', state: 'added', tag_line: 'A very long tag line '.repeat(20) }),
  connection({ service_id: 'close', state: 'authorized', name: '‮ɹǝʌıɹpǝdıd' }),
  connection({ service_id: 'copper', state: 'invalid' }),
  connection({ service_id: 'insightly', state: 'available', integration_state: 'needs_configuration' }),
  connection({ service_id: 'quickbooks', unified_api: 'accounting', icon: 'https://example.invalid/broken.png' }),
  // The statuses health adds.
  connection({ service_id: 'attio', state: 'callable', health: 'needs_auth' }),
  connection({ service_id: 'deel', unified_api: 'hris', state: 'authorized', health: 'pending_confirmation' }),
  connection({ service_id: 'freshbooks', unified_api: 'accounting', state: 'callable', health: 'pending_refresh', credentials_expire_at: Date.now() + 5 * 86_400_000 }),
  connection({ service_id: 'netsuite', unified_api: 'accounting', state: 'callable', health: 'degraded', last_downstream_error_at: Date.now() - 1_200_000 }),
];

let held: Gate | undefined;
let opened: OpenSpy | undefined;
let flow: VaultreFlow | undefined;

afterEach(async () => {
  held?.open();
  held = undefined;
  opened?.restore();
  opened = undefined;
  flow?.opened.restore();
  flow?.el.cancel();
  flow = undefined;
  removeFrames();
  restoreFetch();
  sessionStorage.clear();
  await emulateMedia({ colorScheme: 'light', reducedMotion: 'no-preference' });
});

function typeInSearch(el: VaultConnect, value: string): void {
  const input = shadow(el).querySelector<HTMLInputElement>('input[type="search"]')!;
  input.value = value;
  input.dispatchEvent(new InputEvent('input'));
}

// `held` and the fetch stub are released by the file's afterEach.
describe('<vault-connect> axe in every state, as chai-a11y-axe sees it', () => {
  it('the list (against the sandbox, every status and action)', async () => {
    const { el } = await mountSandbox();
    await expect(el).to.be.accessible();
  });

  it('the list with a search that hides rows', async () => {
    const { el } = await mountSandbox();
    const input = shadow(el).querySelector<HTMLInputElement>('input[type="search"]');
    if (!input) throw new Error('no search box');
    input.value = 'hub';
    input.dispatchEvent(new InputEvent('input'));
    await el.updateComplete;
    await expect(el).to.be.accessible();
  });

  it('no matches', async () => {
    const { el } = await mountSandbox();
    const input = shadow(el).querySelector<HTMLInputElement>('input[type="search"]');
    if (!input) throw new Error('no search box');
    input.value = 'zzz';
    input.dispatchEvent(new InputEvent('input'));
    await el.updateComplete;
    await expect(el).to.be.accessible();
  });

  it('loading', async () => {
    held = gate();
    const pending = held.promise;
    stubFetch((call) => (call.url.origin === STUB_API ? pending.then(() => errorResponse(500, 'x', 'x', 'x')) : undefined));
    const { el } = await mount({ token: forgedToken(), unifyBaseUrl: STUB_API });
    expect(shadow(el).querySelector('.skeleton')).to.not.equal(null);
    await expect(el).to.be.accessible();
  });

  it('empty', async () => {
    const { el } = await mountWithList([]);
    await expect(el).to.be.accessible();
  });

  it('error', async () => {
    const { el } = await mountWithList([], {
      route: (call) => (call.url.origin === STUB_API ? errorResponse(500, 'Internal Server Error', 'UnexpectedError', 'Unexpected error') : undefined),
    });
    expect(shadow(el).querySelector('[data-action="retry"]')).to.not.equal(null);
    await expect(el).to.be.accessible();
  });

  it('waiting for a session', async () => {
    const { el } = await mount({ unifyBaseUrl: STUB_API });
    await expect(el).to.be.accessible();
  });

  it('a row with a pending action and a row error', async () => {
    held = gate();
    const pending = held.promise;
    const { el, events } = await mountWithList([connection({ service_id: 'salesforce' }), connection({ service_id: 'hubspot' })], {
      route: (call) => {
        if (call.method !== 'PATCH') return undefined;
        return call.url.pathname.endsWith('/hubspot')
          ? errorResponse(422, 'Unprocessable Entity', 'InvalidStateError', 'Nope')
          : pending.then(() => errorResponse(500, 'x', 'x', 'x'));
      },
    });
    await chooseAction(row(el, 'hubspot'), 'disable');
    await events.waitFor('vault-connect-error');
    await chooseAction(row(el, 'salesforce'), 'disable');
    await el.updateComplete;
    expect(row(el, 'salesforce').getAttribute('aria-busy')).to.equal('true');
    await expect(el).to.be.accessible();
  });

  it('with the disconnect dialog open', async () => {
    const { el } = await mountSandbox();
    await chooseAction(row(el, 'salesforce'), 'disconnect');
    await el.updateComplete;
    const d = await dialog(el);
    await until(() => d.open, 'the dialog opens');
    await expect(el).to.be.accessible();
    d.close();
  });
});

describe('<vault-connect> axe and contrast in every state, light and dark', () => {
  it('the list in every status, hostile names included, in a sandbox session', async () => {
    const { el } = await mountWithList(EVERY_STATUS, { claims: { settings: { sandbox_mode: true } } });
    const statuses = rows(el).map((r) => badge(r).dataset.status);
    expect(new Set(statuses)).to.have.keys([
      'connected',
      'not_connected',
      'disabled',
      'unauthorized',
      'needs_reauth',
      'pending_confirmation',
      'expiring',
      'input_required',
      'degraded',
      'invalid',
      'needs_configuration',
    ]);
    expect(text(row(el, 'netsuite').querySelector('.hint'))).to.contain('The provider has not answered since');
    expect(shadow(el).querySelector('[part="sandbox-marker"]')).to.not.equal(null);
    await expectAccessibleInBothThemes(el, 'every status');
  });

  it('theme="auto" follows a page that declares `light dark` under an emulated dark preference, and stays light on one that declares nothing', async () => {
    const { el } = await mountWithList(EVERY_STATUS.slice(0, 3));
    await emulateMedia({ colorScheme: 'dark' });
    const [lr, lg, lb] = backgroundOf(el);
    expect(lr + lg + lb, 'a light background').to.be.greaterThan(600);
    await expect(el).to.be.accessible();
    document.documentElement.style.colorScheme = 'light dark';
    try {
      const [r, g, b] = backgroundOf(el);
      expect(r + g + b, 'a dark background').to.be.lessThan(150);
      await expect(el).to.be.accessible();
    } finally {
      document.documentElement.style.colorScheme = '';
    }
  });

  it('loading', async () => {
    held = gate();
    const pending = held.promise;
    stubFetch((call) => (call.url.origin === STUB_API ? pending.then(() => errorResponse(500, 'x', 'x', 'x')) : undefined));
    const { el } = await mount({ token: forgedToken(), unifyBaseUrl: STUB_API });
    expect(shadow(el).querySelector('.skeleton')).to.not.equal(null);
    await expectAccessibleInBothThemes(el, 'loading');
  });

  it('empty', async () => {
    const { el } = await mountWithList([]);
    expect(text(shadow(el).querySelector('[part="state"]'))).to.equal('No integrations are available yet.');
    await expectAccessibleInBothThemes(el, 'empty');
  });

  it('no search matches (a hostile query)', async () => {
    const { el } = await mountWithList(EVERY_STATUS);
    typeInSearch(el, '"><script>alert(1)</script>');
    await el.updateComplete;
    expect(text(shadow(el).querySelector('[part="state"]'))).to.contain('No integrations match');
    await expectAccessibleInBothThemes(el, 'no matches');
  });

  it('the list error, and waiting for a session', async () => {
    const { el } = await mountWithList([], {
      route: (call) => (call.url.origin === STUB_API ? errorResponse(500, 'Internal Server Error', 'UnexpectedError', '<b>boom</b>') : undefined),
    });
    expect(shadow(el).querySelector('[part="state"] [data-action="retry"]')).to.not.equal(null);
    await expectAccessibleInBothThemes(el, 'error');
    const { el: waiting } = await mount({ unifyBaseUrl: STUB_API });
    await expectAccessibleInBothThemes(waiting, 'waiting for a session');
  });

  it('a busy row beside a failed row', async () => {
    held = gate();
    const pending = held.promise;
    const { el, events } = await mountWithList([connection({ service_id: 'salesforce' }), connection({ service_id: 'hubspot' })], {
      route: (call) => {
        if (call.method !== 'PATCH') return undefined;
        return call.url.pathname.endsWith('/hubspot')
          ? errorResponse(422, 'Unprocessable Entity', 'InvalidStateError', 'Nope')
          : pending.then(() => errorResponse(500, 'x', 'x', 'x'));
      },
    });
    await chooseAction(row(el, 'hubspot'), 'disable');
    await events.waitFor('vault-connect-error');
    await chooseAction(row(el, 'salesforce'), 'disable');
    await until(() => row(el, 'salesforce').getAttribute('aria-busy') === 'true', 'the row is busy');
    await el.updateComplete;
    expect(row(el, 'hubspot').querySelector('[part="row-error"]')).to.not.equal(null);
    await expectAccessibleInBothThemes(el, 'busy and failed rows');
  });

  it('a row whose popup was blocked: retry, then also "Continue in this tab"', async () => {
    const { el, events } = await mountWithList([connection({ service_id: 'hubspot', state: 'available' })]);
    el.openMode = 'popup';
    el.callbackUrl = '/callback.html';
    opened = spyOpen(() => null);
    button(row(el, 'hubspot'), 'connect').click();
    await events.waitFor('vault-connect-error');
    await until(() => row(el, 'hubspot').querySelector('[data-action="retry"]'), 'the retry button');
    await expectAccessibleInBothThemes(el, 'blocked once');
    button(row(el, 'hubspot'), 'retry').click();
    await events.waitFor('vault-connect-error', 2);
    await until(() => row(el, 'hubspot').querySelector('[data-same-tab]'), 'the same-tab button');
    await expectAccessibleInBothThemes(el, 'blocked twice');
  });

  it('a row whose Vault modal did not come up: the error and Try again', async () => {
    const clock = installFakeClock({ holdTimeouts: (delay) => delay === 10_000 });
    const warn = console.warn;
    console.warn = () => undefined;
    try {
      const modal = new FakeVaultModal({ ready: false });
      const { el, events } = await mountWithList([connection({ service_id: 'hubspot', state: 'available' })], { vaultModal: modal });
      button(row(el, 'hubspot'), 'connect').click();
      await modal.waitForOpen();
      await el.updateComplete;
      await expectAccessibleInBothThemes(el, 'modal loading');
      clock.tick(10_000);
      await events.waitFor('vault-connect-error');
      await until(() => row(el, 'hubspot').querySelector('[data-action="retry"]'), 'Try again');
      await expectAccessibleInBothThemes(el, 'modal failed');
    } finally {
      clock.restore();
      console.warn = warn;
    }
  });

  it('the confirmation dialog open', async () => {
    const { el } = await mountWithList(EVERY_STATUS.slice(0, 2));
    await chooseAction(row(el, 'salesforce'), 'disconnect');
    const d = await dialog(el);
    await until(() => d.open, 'the dialog opens');
    await expectAccessibleInBothThemes(el, 'dialog');
    d.close();
  });
});

describe('<vault-connect> axe and contrast for the VaultRE row in each state, light and dark', () => {
  it('checking, then idle (beside the list)', async () => {
    const status = gate();
    held = status;
    stubHost({ status: status.promise.then(() => jsonResponse({ connected: false })) });
    const { el } = await mountVaultre();
    await vaultreRow(el);
    expect(row(el, 'vaultre').getAttribute('aria-busy')).to.equal('true');
    await expectAccessibleInBothThemes(el, 'VaultRE checking');
    status.open();
    await settledRow(el);
    await expectAccessibleInBothThemes(el, 'VaultRE idle');
  });

  it('waiting for the popup, beside the Apideck list', async () => {
    flow = await startVaultreFlow({ list: EVERY_STATUS.slice(0, 2) });
    expect(text(row(flow.el, 'vaultre').querySelector('.progress'))).to.equal('Waiting for VaultRE…');
    await expectAccessibleInBothThemes(flow.el, 'VaultRE waiting');
  });

  it('exchanging (the row checks the status after a lost reply), then connected', async () => {
    const exchange = gate();
    held = exchange;
    let gets = 0;
    flow = await startVaultreFlow({
      // The row's first read, then the callback page's (which fails, as the POST did), then the row's own check, held.
      status: () => {
        gets++;
        if (gets === 1) return jsonResponse({ connected: false });
        if (gets === 2) throw new TypeError('Failed to fetch');
        return exchange.promise.then(() => jsonResponse({ connected: true, connected_at: '2024-05-01T10:00:00.000Z' }));
      },
      exchange: () => {
        throw new TypeError('Failed to fetch');
      },
    });
    vaultreReturns(flow, { reason: 'success', code: fakeCode() });
    const { el } = flow;
    await until(() => text(row(el, 'vaultre').querySelector('.progress')) === 'Connecting…', 'exchanging');
    await expectAccessibleInBothThemes(el, 'VaultRE exchanging');
    exchange.open();
    await until(() => text(badge(row(el, 'vaultre'))) === 'Connected', 'connected');
    await expectAccessibleInBothThemes(el, 'VaultRE connected');
  });

  for (const [outcome, setup, message] of [
    ['denied', {}, 'Access was denied.'],
    ['expired', { exchange: () => jsonResponse({ error: 'code_expired' }, 400) }, 'The authorization expired. Please try again.'],
    ['failed', { exchange: () => jsonResponse({ error: 'exchange_failed', message: '<i>VaultRE is down</i>' }, 502) }, 'The connection could not be completed'],
    ['not stored', { exchange: () => jsonResponse({ error: 'store_failed', message: '<i>disk full</i>' }, 500) }, 'The connection could not be saved.'],
  ] as const) {
    it(outcome, async () => {
      flow = await startVaultreFlow(setup);
      vaultreReturns(flow, outcome === 'denied' ? { reason: 'User denied request' } : { reason: 'success', code: fakeCode() });
      await flow.events.waitFor('vault-connect-error');
      await flow.el.updateComplete;
      expect(text(row(flow.el, 'vaultre').querySelector('[part="row-error"]'))).to.contain(message);
      expect(row(flow.el, 'vaultre').querySelector('[data-action="retry"]')).to.not.equal(null);
      await expectAccessibleInBothThemes(flow.el, `VaultRE ${outcome}`);
    });
  }

  it('blocked twice: retry and "Continue in this tab"', async () => {
    stubHost();
    opened = spyOpen(() => null);
    const { el, events } = await mountVaultre();
    button(await settledRow(el), 'connect').click();
    await events.waitFor('vault-connect-error');
    button(row(el, 'vaultre'), 'retry').click();
    await events.waitFor('vault-connect-error', 2);
    await until(() => row(el, 'vaultre').querySelector('[data-same-tab]'), 'the same-tab button');
    await expectAccessibleInBothThemes(el, 'VaultRE blocked');
  });
});
