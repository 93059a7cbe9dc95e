/**
 * `window-mode`: `auto` (the default) runs a popup flow in this tab in the documented in-app browsers, in a popup
 * everywhere else; `popup` and `same-tab` force either. The decision is checked here against real user agents, and on
 * the element by what it does at the click: a popup flow calls `window.open`, a same-tab one does not and heads for the
 * provider in this tab. (Leaving the page is the end-to-end tests' part: `test/e2e/window-mode.test.ts` follows both
 * paths to the end.) Here the flows stop at a check that fails before the page would leave it: an `http:` Hosted Vault
 * URL, or a VaultRE callback page on another origin (`invalid_config`).
 */
import { expect } from '@open-wc/testing';
import type { VaultConnect } from '../../../src/index.ts';
import { flowsInSameTab, inAppBrowser, IN_APP_BROWSERS } from '../../../src/internal/popup/window-mode.ts';
import { button, connection, jsonResponse, mount, mountWithList, restoreFetch, row, shadow, stubFetch, until, type EventLog } from '../support/helpers.ts';
import { CALLBACK_URL, spyOpen, type OpenSpy } from '../support/vaultre-helpers.ts';

/** Real in-app browsers' user agents, each with the name the list gives it. */
const IN_APP: [string, string][] = [
  ['Facebook, Messenger', 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 [FBAN/FBIOS;FBAV/442.0.0.35.110;FBBV/543868712;FBDV/iPhone15,2;FBMD/iPhone;FBSN/iOS;FBSV/17.1;FBSS/3;FBLC/en_US;FBOP/5]'],
  ['Facebook, Messenger', 'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/120.0.6099.144 Mobile Safari/537.36 [FB_IAB/FB4A;FBAV/446.0.0.32.118;]'],
  ['Instagram', 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 Instagram 312.0.2.17.109 (iPhone14,5; iOS 17_2; en_US; en; scale=3.00; 1170x2532; 549124568)'],
  ['Threads', 'Mozilla/5.0 (Linux; Android 13; SM-S911B) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/119.0.6045.193 Mobile Safari/537.36 Barcelona 309.0.0.41.109 Android'],
  ['LinkedIn', 'Mozilla/5.0 (iPhone; CPU iPhone OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 [LinkedInApp]/9.28.7447'],
  ['X (Twitter)', 'Mozilla/5.0 (Linux; Android 12; SM-G991B) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/118.0.5993.111 Mobile Safari/537.36 TwitterAndroid'],
  ['Snapchat', 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 Snapchat/12.58.0.39 (like Safari/8617.1.17.10.5, panda)'],
  ['TikTok', 'Mozilla/5.0 (Linux; Android 13; 2201117TY) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/116.0.0.0 Mobile Safari/537.36 trill_310604 BytedanceWebview/d8a21c6 musical_ly_2023106040'],
  ['Pinterest', 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 [Pinterest/iOS]'],
  ['LINE', 'Mozilla/5.0 (iPhone; CPU iPhone OS 16_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 Safari Line/13.10.0'],
  ['WeChat', 'Mozilla/5.0 (Linux; Android 10; V2001A) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/86.0.4240.99 XWEB/4313 MMWEBSDK/20220805 Mobile Safari/537.36 MMWEBID/6170 MicroMessenger/8.0.27.2220(0x28001B53) WeChat/arm64 Weixin'],
  ['KakaoTalk', 'Mozilla/5.0 (iPhone; CPU iPhone OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 KAKAOTALK 10.3.5'],
];

/** Browsers that keep a popup and its opener together (and bots whose names start like an app's). */
const REGULAR = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_2) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Safari/605.1.15',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Mobile/15E148 Safari/604.1',
  'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.6099.144 Mobile Safari/537.36',
  'Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0',
  'Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/23.0 Chrome/115.0.0.0 Mobile Safari/537.36',
  'Twitterbot/1.0',
  'Mozilla/5.0 (compatible; Pinterestbot/1.0; +http://www.pinterest.com/bot.html)',
];

let opened: OpenSpy | undefined;
let realUserAgent: PropertyDescriptor | undefined;

/** Makes `navigator.userAgent` read `value` for this test (an own property over the prototype's getter). */
function pretendUserAgent(value: string): void {
  realUserAgent ??= Object.getOwnPropertyDescriptor(navigator, 'userAgent');
  Object.defineProperty(navigator, 'userAgent', { configurable: true, get: () => value });
}

afterEach(() => {
  opened?.restore();
  opened = undefined;
  if (realUserAgent) Object.defineProperty(navigator, 'userAgent', realUserAgent);
  else delete (navigator as { userAgent?: string }).userAgent;
  realUserAgent = undefined;
  restoreFetch();
  sessionStorage.clear();
});

describe('window-mode: which browsers run flows in this tab', () => {
  it('auto: every in-app browser of the documented list runs in this tab, by name', () => {
    for (const [name, agent] of IN_APP) {
      expect(inAppBrowser(agent), agent).to.equal(name);
      expect(flowsInSameTab('auto', agent), name).to.equal(true);
    }
    // Every entry of the list has a user agent above.
    expect([...new Set(IN_APP.map(([name]) => name))].sort()).to.deep.equal(IN_APP_BROWSERS.map((b) => b.name).sort());
  });

  it('auto: other browsers (and bots named like an app) run in a popup', () => {
    for (const agent of REGULAR) {
      expect(inAppBrowser(agent), agent).to.equal(undefined);
      expect(flowsInSameTab('auto', agent), agent).to.equal(false);
    }
  });

  it('popup and same-tab force either; any other value is auto', () => {
    const [, instagram] = IN_APP[2];
    expect(flowsInSameTab('popup', instagram)).to.equal(false);
    expect(flowsInSameTab('same-tab', REGULAR[0])).to.equal(true);
    for (const value of [undefined, '', 'SAME-TAB', 'popup ', '<b>x</b>']) {
      expect(flowsInSameTab(value, instagram), String(value)).to.equal(true);
      expect(flowsInSameTab(value, REGULAR[0]), String(value)).to.equal(false);
    }
  });
});

describe('<vault-connect window-mode>', () => {
  /** A list with a Connect, opened as Hosted Vault in a popup; `vault-url` on plain http stops a flow before it leaves. */
  async function mountPopupMode(windowMode: string | undefined): Promise<{ el: VaultConnect; events: EventLog }> {
    const { el, events } = await mountWithList([connection({ service_id: 'xero', unified_api: 'accounting', state: 'available' })]);
    if (windowMode !== undefined) el.setAttribute('window-mode', windowMode);
    el.openMode = 'popup';
    el.callbackUrl = CALLBACK_URL;
    el.vaultUrl = 'http://vault.example';
    await el.updateComplete;
    // Hover first, as a pointer does: the interactions chunk is in before the click.
    row(el, 'xero').dispatchEvent(new PointerEvent('pointerover', { bubbles: true, composed: true }));
    await new Promise((resolve) => setTimeout(resolve, 50));
    return { el, events };
  }

  it('reflects the attribute in the property; auto is the default', async () => {
    const { el } = await mount({});
    expect(el.windowMode).to.equal('auto');
    el.setAttribute('window-mode', 'same-tab');
    expect(el.windowMode).to.equal('same-tab');
  });

  it('auto in an in-app browser: the click opens no popup; the flow heads for the provider in this tab', async () => {
    pretendUserAgent(IN_APP[2][1]);
    opened = spyOpen(() => null);
    const { el, events } = await mountPopupMode(undefined);
    button(row(el, 'xero'), 'connect').click();
    await events.waitFor('vault-connect-error');
    expect(opened.calls, 'no window.open').to.have.length(0);
    // The same-tab path checks the Hosted Vault URL before the page would leave for it.
    expect(events.errors.map((e) => e.code)).to.deep.equal(['invalid_config']);
  });

  it('popup in an in-app browser: the click opens a popup after all', async () => {
    pretendUserAgent(IN_APP[2][1]);
    opened = spyOpen(() => null);
    const { el, events } = await mountPopupMode('popup');
    button(row(el, 'xero'), 'connect').click();
    await events.waitFor('vault-connect-error');
    expect(opened.calls).to.have.length(1);
    expect(events.errors.map((e) => e.code)).to.deep.equal(['popup_blocked']);
  });

  it('same-tab in a desktop browser: no popup', async () => {
    opened = spyOpen(() => null);
    const { el, events } = await mountPopupMode('same-tab');
    button(row(el, 'xero'), 'connect').click();
    await events.waitFor('vault-connect-error');
    expect(opened.calls).to.have.length(0);
    expect(events.errors.map((e) => e.code)).to.deep.equal(['invalid_config']);
  });

  it('auto in a desktop browser: a popup, as before', async () => {
    opened = spyOpen(() => null);
    const { el, events } = await mountPopupMode(undefined);
    button(row(el, 'xero'), 'connect').click();
    await events.waitFor('vault-connect-error');
    expect(opened.calls).to.have.length(1);
    expect(events.errors.map((e) => e.code)).to.deep.equal(['popup_blocked']);
  });

  it('the modal (open-mode modal) is not a window: window-mode leaves it alone', async () => {
    opened = spyOpen(() => null);
    const { el } = await mountWithList([connection({ service_id: 'xero', state: 'available' })]);
    el.setAttribute('window-mode', 'same-tab');
    let modalOpened = 0;
    el.vaultModal = { open: (options) => { modalOpened++; options.onReady?.(); options.onClose?.(); }, close: () => undefined };
    await el.openConnection('xero');
    expect(modalOpened).to.equal(1);
    expect(opened.calls).to.have.length(0);
  });

  for (const [label, mode, agent] of [
    ['auto in an in-app browser', undefined, IN_APP[4][1]],
    ['same-tab', 'same-tab', undefined],
  ] as const) {
    it(`VaultRE, ${label}: no popup; the authorization is asked for this tab`, async () => {
      if (agent) pretendUserAgent(agent);
      opened = spyOpen(() => null);
      const { el, events } = await mount({});
      if (mode) el.setAttribute('window-mode', mode);
      const authorizeCalls: string[] = [];
      stubFetch((call) => {
        if (call.url.pathname !== '/api/vaultre') return undefined;
        if (call.method === 'GET') return jsonResponse({ connected: false });
        authorizeCalls.push(call.body ?? '');
        // A callback page on another origin: the element refuses it before the page would leave.
        return jsonResponse({ authorize_url: 'https://vaultre.example/cgi-bin/clientvault/oauth-authorize.cgi?client_id=c&redirect_uri=https%3A%2F%2Fother.example%2Fcb&response_type=code&state=s' });
      });
      el.vaultreExchangeUrl = '/api/vaultre';
      await until(() => shadow(el).querySelector('[data-service-id="vaultre"][aria-busy="false"]'), 'the VaultRE row');
      button(row(el, 'vaultre'), 'connect').click();
      await events.waitFor('vault-connect-error');
      expect(opened.calls).to.have.length(0);
      expect(authorizeCalls).to.have.length(1);
      expect(events.errors.map((e) => e.code)).to.deep.equal(['invalid_config']);
    });
  }
});
