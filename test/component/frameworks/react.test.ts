/**
 * `vault-connect/react` rendered with React 19's `react-dom/client` (served as ES modules by `framework-plugin.ts`):
 * props reach the element as properties, each event reaches its `on…` handler with the element's typed event, handlers
 * can change and go, a `ref` is the element, and unmounting removes it. Also React 19's own custom element support,
 * which docs/frameworks.md offers as the alternative to the wrapper.
 */
import { expect } from '@open-wc/testing';
import { createElement, createRef, type ReactNode } from 'react';
import { flushSync } from 'react-dom';
import { createRoot, type Root } from 'react-dom/client';
import { VaultConnect, type VaultConnectElement, type VaultConnectProps } from '../../../src/react/index.ts';
import type { Connection, VaultConnectErrorDetail } from '../../../src/index.ts';
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

let container: HTMLElement | undefined;
let root: Root | undefined;
let opened: OpenSpy | undefined;

afterEach(() => {
  root?.unmount();
  root = undefined;
  container?.remove();
  container = undefined;
  opened?.restore();
  opened = undefined;
  removeFrames();
  restoreFetch();
  sessionStorage.clear();
});

/** Renders `node` into a fresh root (or the current one) and returns the `<vault-connect>` React put there. */
async function render(node: ReactNode): Promise<VaultConnectElement> {
  if (!container) {
    container = document.createElement('div');
    document.body.append(container);
    root = createRoot(container);
  }
  // Committed before this returns (effects included), as React does for a user's click.
  flushSync(() => root!.render(node));
  const el = container.querySelector('vault-connect');
  if (!el) throw new Error('React rendered no <vault-connect>');
  await el.updateComplete;
  return el;
}

/** Renders the wrapper against the sandbox for a fresh consumer. */
async function renderSandbox(props: VaultConnectProps = {}): Promise<{ el: VaultConnectElement; consumer: string }> {
  const { vaultApiUrl } = await sandbox();
  const consumer = uniqueConsumer('react');
  const el = await render(createElement(VaultConnect, { sessionUrl: sessionUrl(consumer), unifyBaseUrl: vaultApiUrl, ...props }));
  return { el, consumer };
}

/** A handler that records the events it receives. */
function recorder<E extends Event>(): ((event: E) => void) & { calls: E[] } {
  const calls: E[] = [];
  return Object.assign((event: E) => void calls.push(event), { calls });
}

describe('vault-connect/react', () => {
  it('sets the props as properties, objects included (React 18 alone would stringify them into attributes)', async () => {
    stubFetch(() => listResponse([]));
    const token = forgedToken();
    const modal = new FakeVaultModal();
    const strings = { action: { connect: 'Link' } };
    const el = await render(
      createElement(VaultConnect, {
        token,
        vaultModal: modal,
        unifyBaseUrl: 'https://unify.test',
        unifiedApi: 'crm',
        locale: 'nl',
        theme: 'dark',
        openMode: 'popup',
        flowTimeout: 1234,
        strings,
        id: 'connections',
        className: 'settings-list',
      }),
    );
    expect(el.token).to.equal(token);
    expect(el.vaultModal).to.equal(modal);
    expect(el.unifyBaseUrl).to.equal('https://unify.test');
    expect(el.unifiedApi).to.equal('crm');
    expect(el.openMode).to.equal('popup');
    expect(el.flowTimeout).to.equal(1234);
    expect(el.strings).to.equal(strings);
    expect(el.locale).to.equal('nl');
    expect(el.theme).to.equal('dark');
    // Reflected by the element itself, not written by React; the token never becomes an attribute.
    expect(el.getAttribute('locale')).to.equal('nl');
    expect(el.getAttribute('theme')).to.equal('dark');
    expect(el.hasAttribute('token')).to.be.false;
    expect(el.outerHTML).not.to.contain(token);
    // Ordinary HTML props are attributes.
    expect(el.id).to.equal('connections');
    expect(el.getAttribute('class')).to.equal('settings-list');
  });

  it('a re-render with new props updates the element; a prop that goes is unset', async () => {
    stubFetch(() => listResponse([]));
    await render(createElement(VaultConnect, { unifiedApi: 'crm', locale: 'de', token: forgedToken(), unifyBaseUrl: 'https://unify.test' }));
    const el = await render(createElement(VaultConnect, { unifiedApi: 'accounting', locale: 'fr' }));
    expect(el.unifiedApi).to.equal('accounting');
    expect(el.locale).to.equal('fr');
    expect(el.token ?? undefined).to.equal(undefined);
  });

  it('hostile strings stay property values: nothing is parsed into markup', async () => {
    stubFetch(() => listResponse([]));
    const hostile = '"><img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>';
    const el = await render(createElement(VaultConnect, { unifiedApi: hostile, token: forgedToken(), unifyBaseUrl: 'https://unify.test' }));
    expect(el.unifiedApi).to.equal(hostile);
    expect(container!.children).to.have.length(1);
    expect(container!.querySelector('img, script')).to.equal(null);
    expect(shadow(el).querySelector('img[src="x"], script')).to.equal(null);
    expect((window as Window & { __pwned?: number }).__pwned).to.equal(undefined);
  });

  it('onReady receives vault-connect-ready with the first list', async () => {
    const onReady = recorder<CustomEvent<{ connections: readonly Connection[] }>>();
    const { el } = await renderSandbox({ onReady });
    await until(() => onReady.calls.length === 1, 'onReady is called');
    const [event] = onReady.calls;
    expect(event.type).to.equal('vault-connect-ready');
    expect(event.target).to.equal(el);
    expect(event.detail.connections.map((c) => c.service_id)).to.include('salesforce');
  });

  it('onError receives vault-connect-error with {code, message, retryable}', async () => {
    const { vaultApiUrl } = await sandbox();
    const onError = recorder<CustomEvent<VaultConnectErrorDetail>>();
    const onReady = recorder();
    // A token the sandbox did not sign: its API answers 401, and a token given directly cannot be renewed.
    await render(createElement(VaultConnect, { token: forgedToken(), unifyBaseUrl: vaultApiUrl, onError, onReady }));
    await until(() => onError.calls.length === 1, 'onError is called');
    expect(onError.calls[0].type).to.equal('vault-connect-error');
    expect(onError.calls[0].detail).to.include({ code: 'session_failed', retryable: false });
    expect(onError.calls[0].detail.message).to.be.a('string').and.not.equal('');
    expect(onReady.calls).to.have.length(0);
  });

  it('onConnectionChange receives vault-connection-change with the API’s value', async () => {
    const onConnectionChange = recorder<CustomEvent<{ connection: Connection }>>();
    const onReady = recorder();
    const { el } = await renderSandbox({ onConnectionChange, onReady });
    await until(() => onReady.calls.length === 1, 'ready');
    await chooseAction(row(el, 'salesforce'), 'disable');
    await until(() => onConnectionChange.calls.length === 1, 'onConnectionChange is called');
    expect(onConnectionChange.calls[0].type).to.equal('vault-connection-change');
    expect(onConnectionChange.calls[0].detail.connection).to.include({ service_id: 'salesforce', enabled: false });
  });

  it('onConnectionDelete receives vault-connection-delete after the confirmed disconnect', async () => {
    const onConnectionDelete = recorder<CustomEvent<{ connection: Connection }>>();
    const onConnectionChange = recorder();
    const onReady = recorder();
    const { el } = await renderSandbox({ onConnectionDelete, onConnectionChange, onReady });
    await until(() => onReady.calls.length === 1, 'ready');
    await chooseAction(row(el, 'salesforce'), 'disconnect');
    const d = await dialog(el);
    await until(() => d.open, 'the dialog opens');
    await answerDialog(d, 'confirm');
    await until(() => onConnectionDelete.calls.length === 1, 'onConnectionDelete is called');
    expect(onConnectionDelete.calls[0].type).to.equal('vault-connection-delete');
    expect(onConnectionDelete.calls[0].detail.connection).to.include({ service_id: 'salesforce', state: 'available' });
    expect(onConnectionChange.calls).to.have.length(0);
  });

  it('onVaultreConnect receives vaultre-connect with the host backend’s reply', async () => {
    const popups = await popupFrames(1);
    opened = popups.opened;
    const reply = { connected: true, token_type: 'account', connected_at: '2024-05-01T10:00:00.000Z' };
    stubHost({ exchange: new Response(JSON.stringify(reply), { headers: { 'content-type': 'application/json' } }) });
    const onVaultreConnect = recorder<CustomEvent<{ result: unknown }>>();
    const onError = recorder();
    const el = await render(
      createElement(VaultConnect, {
        vaultreClientId: 'test-vaultre-client',
        vaultreRedirectUri: CALLBACK_URL,
        vaultreExchangeUrl: '/__vaultre-host/exchange',
        vaultreAuthorizeUrl: new URL('/__vaultre-authorize/cgi-bin/clientvault', location.href).href,
        onVaultreConnect,
        onError,
      }),
    );
    button(await settledRow(el), 'connect').click();
    await until(() => popups.opened.windows.length === 1, 'a popup opens');
    const popup = popups.opened.windows[0];
    const state = (await authorizeUrlOf(popup)).searchParams.get('state') ?? '';
    returnTo(popup, CALLBACK_URL, { reason: 'success', code: fakeCode(), state });
    await until(() => onVaultreConnect.calls.length === 1, 'onVaultreConnect is called');
    expect(onVaultreConnect.calls[0].type).to.equal('vaultre-connect');
    expect(onVaultreConnect.calls[0].detail.result).to.deep.equal(reply);
    expect(onError.calls).to.have.length(0);
  });

  it('a new handler replaces the old one, and a handler that goes stops being called', async () => {
    const first = recorder<CustomEvent<{ connection: Connection }>>();
    const second = recorder<CustomEvent<{ connection: Connection }>>();
    const onReady = recorder();
    const { el, consumer } = await renderSandbox({ onConnectionChange: first, onReady });
    await until(() => onReady.calls.length === 1, 'ready');
    const { vaultApiUrl } = await sandbox();
    const props = { sessionUrl: sessionUrl(consumer), unifyBaseUrl: vaultApiUrl };

    await render(createElement(VaultConnect, { ...props, onConnectionChange: second }));
    el.dispatchEvent(new CustomEvent('vault-connection-change', { detail: { connection: { service_id: 'x' } } }));
    expect(first.calls).to.have.length(0);
    expect(second.calls).to.have.length(1);

    await render(createElement(VaultConnect, props));
    el.dispatchEvent(new CustomEvent('vault-connection-change', { detail: { connection: { service_id: 'y' } } }));
    expect(second.calls).to.have.length(1);
  });

  it('a ref is the element, with its methods; unmounting removes the element', async () => {
    const ref = createRef<VaultConnectElement>();
    const onReady = recorder();
    const { el } = await renderSandbox({ ref, onReady });
    expect(ref.current).to.equal(el);
    expect(typeof ref.current?.refresh).to.equal('function');
    await until(() => onReady.calls.length === 1, 'ready');
    root!.unmount();
    root = undefined;
    expect(el.isConnected).to.be.false;
    expect(ref.current).to.equal(null);
  });
});

describe('<vault-connect> in React 19 without the wrapper', () => {
  it('sets known properties as properties and listens with on<event-name> props', async () => {
    const { vaultApiUrl } = await sandbox();
    const token = forgedToken();
    const onError = recorder<CustomEvent<VaultConnectErrorDetail>>();
    const el = await render(
      createElement('vault-connect', { token, unifyBaseUrl: vaultApiUrl, locale: 'es', 'onvault-connect-error': onError }),
    );
    expect(el.token).to.equal(token);
    expect(el.hasAttribute('token')).to.be.false;
    expect(el.locale).to.equal('es');
    await until(() => onError.calls.length === 1, 'the error reaches the on<event-name> prop');
    expect(onError.calls[0].detail.code).to.equal('session_failed');
  });
});
