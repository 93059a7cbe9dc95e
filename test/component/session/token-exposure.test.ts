/**
 * The session JWT lives in the element's memory only (SECURITY.md, "token leak"). After a session that loads the list,
 * renews the token on a 401, runs a row action, opens the embedded Vault and fails once, neither token appears in the
 * page's markup (shadow roots included), attribute values, form values, either storage, cookies, the URL, the resource
 * URLs the page requested, or anything written to the console.
 */
import { expect } from '@open-wc/testing';
import {
  button,
  chooseAction,
  connection,
  connectionResponse,
  errorResponse,
  FakeVaultModal,
  forgedToken,
  jsonResponse,
  listResponse,
  mount,
  restoreFetch,
  row,
  STUB_API,
  stubFetch,
  text,
  until,
} from '../support/helpers.ts';
import { storageText } from '../support/vaultre-helpers.ts';

const LIST = [
  connection({ service_id: 'salesforce', name: 'Salesforce' }),
  connection({ service_id: 'hubspot', name: 'HubSpot', state: 'available' }),
];

/** Every string a page keeps where script, a screen or a person could read it. */
function pageStrings(): string[] {
  const found: string[] = [document.documentElement.outerHTML, location.href, document.cookie];
  const visit = (root: Document | ShadowRoot) => {
    for (const element of root.querySelectorAll('*')) {
      for (const name of element.getAttributeNames()) found.push(element.getAttribute(name) ?? '');
      if (element instanceof HTMLInputElement || element instanceof HTMLTextAreaElement) found.push(element.value);
      if (element.shadowRoot) {
        found.push(element.shadowRoot.innerHTML, element.shadowRoot.textContent ?? '');
        visit(element.shadowRoot);
      }
    }
  };
  visit(document);
  found.push(storageText());
  for (const entry of performance.getEntries()) found.push(entry.name);
  return found;
}

/** Records what is written to the console until `restore()`. */
function recordConsole(): { lines: string[]; restore(): void } {
  const lines: string[] = [];
  const methods = ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const;
  const originals = methods.map((method) => console[method].bind(console));
  for (const method of methods) {
    console[method] = (...args: unknown[]) => {
      lines.push(args.map((arg) => (arg instanceof Error ? `${arg.message} ${arg.stack ?? ''}` : typeof arg === 'string' ? arg : JSON.stringify(arg) ?? String(arg))).join(' '));
    };
  }
  return {
    lines,
    restore: () => methods.forEach((method, i) => (console[method] = originals[i])),
  };
}

describe('<vault-connect> session token', () => {
  afterEach(() => restoreFetch());

  it('is never rendered, stored, put in a URL or logged', async () => {
    const first = forgedToken({ consumer_id: 'exposure-consumer' });
    const second = forgedToken({ consumer_id: 'exposure-consumer' });
    // Each token whole and its signature and claims segments alone: a leak of part of it is a leak too.
    const secrets = [first, second].flatMap((token) => [token, ...token.split('.').slice(1)]);
    const sessions = [first, second];
    let listCalls = 0;
    let failNext = false;
    stubFetch((call) => {
      if (call.url.pathname === '/host/session') return jsonResponse({ session_token: sessions.shift() ?? second });
      if (call.url.origin !== STUB_API) return undefined;
      if (call.method === 'GET' && call.url.pathname === '/vault/connections') {
        listCalls++;
        // The first list request is refused: the element asks the session endpoint again and retries once.
        if (listCalls === 1) return errorResponse(401, 'Unauthorized', 'UnauthorizedError', 'Token expired');
        if (failNext) {
          failNext = false;
          return errorResponse(500, 'Server Error', 'ServerError', 'Upstream down');
        }
        return listResponse(LIST);
      }
      if (call.method === 'PATCH') return connectionResponse({ ...LIST[0], enabled: false });
      if (call.method === 'GET') return connectionResponse({ ...LIST[1], state: 'callable' });
      return undefined;
    });
    const logged = recordConsole();
    try {
      const modal = new FakeVaultModal();
      const { el, events } = await mount({ sessionUrl: '/host/session', unifyBaseUrl: STUB_API, vaultModal: modal });
      await until(() => events.ready.length > 0, 'the list, after the renewal');
      expect(listCalls).to.equal(2);

      // A row action, and the embedded Vault (which is handed the token, in memory, by design).
      await chooseAction(row(el, 'salesforce'), 'disable');
      await until(() => text(row(el, 'salesforce').querySelector('[part="badge"]')) === 'Disabled', 'disabled');
      button(row(el, 'hubspot'), 'connect').click();
      const options = await modal.waitForOpen();
      expect(options.token).to.equal(second);
      options.onConnectionChange?.({ ...LIST[1], state: 'callable' });
      options.onClose?.();
      await until(() => events.changes.length > 1, 'the change re-read');

      // A failed reload: the error panel and the error event.
      failNext = true;
      await el.refresh();
      await until(() => events.errors.length > 0, 'the error');
      await el.updateComplete;

      const everywhere = [...pageStrings(), ...logged.lines, ...events.errors.map((e) => JSON.stringify(e))].join('\n');
      for (const secret of secrets) expect(everywhere.includes(secret), `a token segment (${secret.length} chars) was exposed`).to.equal(false);
    } finally {
      logged.restore();
    }
  });
});
