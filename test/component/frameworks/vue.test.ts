/**
 * `<vault-connect>` in a Vue 3 app, as docs/frameworks.md shows it: a template compiled with
 * `compilerOptions.isCustomElement`, `@vault-connection-change` style listeners and `.prop` bindings; and a render
 * function with `h()`, where the listeners are `onVaultConnectionChange` style props. Vue's browser build with the
 * template compiler is served by `framework-plugin.ts`.
 */
import { expect } from '@open-wc/testing';
import { createApp, h, nextTick, ref, type App } from 'vue';
import type { Connection, VaultConnect, VaultConnectErrorDetail } from '../../../src/index.ts';
import { removeFrames } from '../support/popup-helpers.ts';
import {
  button,
  chooseAction,
  dialog,
  FakeVaultModal,
  forgedToken,
  listResponse,
  restoreFetch,
  row,
  sandbox,
  sessionUrl,
  shadow,
  stubFetch,
  uniqueConsumer,
  until,
} from '../support/helpers.ts';
import { CALLBACK_URL, answerDialog, authorizeUrlOf, fakeCode, popupFrames, returnTo, settledRow, stubHost, type OpenSpy } from '../support/vaultre-helpers.ts';

let app: App | undefined;
let container: HTMLElement | undefined;
let opened: OpenSpy | undefined;
/** Every warning Vue gave (an unresolved component, a failed prop, an error in a handler…). */
let warnings: string[] = [];

afterEach(() => {
  app?.unmount();
  app = undefined;
  container?.remove();
  container = undefined;
  opened?.restore();
  opened = undefined;
  removeFrames();
  restoreFetch();
  sessionStorage.clear();
});

/** Mounts a Vue app configured as docs/frameworks.md says, and returns its `<vault-connect>`. */
async function mountApp(component: Parameters<typeof createApp>[0]): Promise<VaultConnect> {
  warnings = [];
  container = document.createElement('div');
  document.body.append(container);
  app = createApp(component);
  app.config.compilerOptions.isCustomElement = (tag) => tag === 'vault-connect';
  app.config.warnHandler = (message) => void warnings.push(message);
  app.config.errorHandler = (error) => void warnings.push(String(error));
  app.mount(container);
  await nextTick();
  const el = container.querySelector('vault-connect');
  if (!el) throw new Error('Vue rendered no <vault-connect>');
  await el.updateComplete;
  return el;
}

type Received = { type: string; detail: unknown }[];

const TEMPLATE = `
  <vault-connect
    :session-url="sessionUrl"
    :unify-base-url="unifyBaseUrl"
    :locale="locale"
    :unifiedApi.prop="unifiedApi"
    :vaultModal.prop="modal"
    theme="dark"
    @vault-connect-ready="received.push({ type: $event.type, detail: $event.detail })"
    @vault-connection-change="received.push({ type: $event.type, detail: $event.detail })"
    @vault-connection-delete="received.push({ type: $event.type, detail: $event.detail })"
    @vault-connect-error="received.push({ type: $event.type, detail: $event.detail })"
  ></vault-connect>`;

describe('<vault-connect> in a Vue 3 app', () => {
  it('template: attributes and .prop bindings reach the element, and reactive changes follow', async () => {
    stubFetch(() => listResponse([]));
    const modal = new FakeVaultModal();
    const locale = ref('nl');
    const hostile = '"><img src=x onerror="window.__pwned=1">';
    const el = await mountApp({
      template: TEMPLATE,
      setup: () => ({ sessionUrl: '/host/session', unifyBaseUrl: 'https://unify.test', locale, unifiedApi: hostile, modal, received: [] }),
    });
    expect(el.sessionUrl).to.equal('/host/session');
    expect(el.unifyBaseUrl).to.equal('https://unify.test');
    expect(el.locale).to.equal('nl');
    expect(el.theme).to.equal('dark');
    expect(el.vaultModal).to.equal(modal);
    // `.prop`: a property, not an attribute; a hostile string stays a value.
    expect(el.unifiedApi).to.equal(hostile);
    expect(el.hasAttribute('unified-api')).to.be.false;
    expect(container!.querySelector('img')).to.equal(null);
    expect(shadow(el).querySelector('img[src="x"]')).to.equal(null);

    locale.value = 'de';
    await nextTick();
    expect(el.locale).to.equal('de');
    expect(warnings).to.deep.equal([]);
  });

  it('template: @vault-connect-ready, @vault-connection-change and @vault-connection-delete listeners receive the events', async () => {
    const { vaultApiUrl } = await sandbox();
    const received: Received = [];
    const el = await mountApp({
      template: TEMPLATE,
      setup: () => ({ sessionUrl: sessionUrl(uniqueConsumer('vue')), unifyBaseUrl: vaultApiUrl, locale: 'en', unifiedApi: undefined, modal: undefined, received }),
    });
    await until(() => received.length === 1, 'vault-connect-ready reaches the listener');
    expect(received[0].type).to.equal('vault-connect-ready');
    const ready = received[0].detail as { connections: Connection[] };
    expect(ready.connections.map((c) => c.service_id)).to.include('salesforce');

    await el.updateComplete;
    await chooseAction(row(el, 'salesforce'), 'disable');
    await until(() => received.length === 2, 'vault-connection-change reaches the listener');
    expect(received[1].type).to.equal('vault-connection-change');
    expect((received[1].detail as { connection: Connection }).connection).to.include({ service_id: 'salesforce', enabled: false });

    await el.updateComplete;
    await chooseAction(row(el, 'salesforce'), 'disconnect');
    const d = await dialog(el);
    await until(() => d.open, 'the dialog opens');
    await answerDialog(d, 'confirm');
    await until(() => received.length === 3, 'vault-connection-delete reaches the listener');
    expect(received[2].type).to.equal('vault-connection-delete');
    expect((received[2].detail as { connection: Connection }).connection.service_id).to.equal('salesforce');
    expect(warnings).to.deep.equal([]);
  });

  it('template: @vault-connect-error receives {code, message, retryable}', async () => {
    const { vaultApiUrl } = await sandbox();
    const received: Received = [];
    const el = await mountApp({
      template: TEMPLATE.replace(':session-url="sessionUrl"', ':token.prop="token"'),
      setup: () => ({ token: forgedToken(), unifyBaseUrl: vaultApiUrl, locale: 'en', unifiedApi: undefined, modal: undefined, received }),
    });
    expect(el.hasAttribute('token')).to.be.false;
    await until(() => received.length === 1, 'vault-connect-error reaches the listener');
    expect(received[0].type).to.equal('vault-connect-error');
    expect(received[0].detail).to.include({ code: 'session_failed', retryable: false });
  });

  it('render function: h() with onVaultreConnect / onVaultConnectError props and a .prop key', async () => {
    const popups = await popupFrames(1);
    opened = popups.opened;
    const reply = { connected: true, token_type: 'account' };
    stubHost({ exchange: new Response(JSON.stringify(reply), { headers: { 'content-type': 'application/json' } }) });
    const connects: CustomEvent<{ result: unknown }>[] = [];
    const errors: CustomEvent<VaultConnectErrorDetail>[] = [];
    const el = await mountApp({
      render: () =>
        h('vault-connect', {
          'vaultre-client-id': 'test-vaultre-client',
          'vaultre-redirect-uri': CALLBACK_URL,
          'vaultre-exchange-url': '/__vaultre-host/exchange',
          '.vaultreAuthorizeUrl': new URL('/__vaultre-authorize/cgi-bin/clientvault', location.href).href,
          onVaultreConnect: (event: CustomEvent<{ result: unknown }>) => connects.push(event),
          onVaultConnectError: (event: CustomEvent<VaultConnectErrorDetail>) => errors.push(event),
        }),
    });
    expect(el.vaultreClientId).to.equal('test-vaultre-client');
    expect(el.hasAttribute('vaultre-authorize-url')).to.be.false;
    button(await settledRow(el), 'connect').click();
    await until(() => popups.opened.windows.length === 1, 'a popup opens');
    const popup = popups.opened.windows[0];
    const state = (await authorizeUrlOf(popup)).searchParams.get('state') ?? '';
    returnTo(popup, CALLBACK_URL, { reason: 'success', code: fakeCode(), state });
    await until(() => connects.length === 1, 'vaultre-connect reaches onVaultreConnect');
    expect(connects[0].type).to.equal('vaultre-connect');
    expect(connects[0].detail.result).to.deep.equal(reply);
    expect(errors).to.deep.equal([]);
    expect(warnings).to.deep.equal([]);
  });
});
