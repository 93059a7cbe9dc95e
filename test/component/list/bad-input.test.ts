import { expect } from '@open-wc/testing';
import { en } from '../../../src/i18n/en.ts';
import type { VaultConnect } from '../../../src/index.ts';
import {
  announcement,
  button,
  chooseAction,
  connection,
  dialog,
  errorResponse,
  type EventLog,
  jsonResponse,
  listResponse,
  mount,
  mountWithList,
  restoreFetch,
  row,
  rows,
  shadow,
  statePanel,
  STUB_API,
  stubFetch,
  text,
  until,
} from '../support/helpers.ts';

const LIST = `${STUB_API}/vault/connections`;

/** Mounts against a stubbed Vault API whose list request gets `reply`, and waits for the error. */
async function mountFailing(reply: () => Response | Promise<Response>): Promise<{ el: VaultConnect; events: EventLog }> {
  const { el, events } = await mountWithList([], {
    route: (call) => (call.url.href === LIST ? reply() : undefined),
  });
  await events.waitFor('vault-connect-error');
  await el.updateComplete;
  return { el, events };
}

/** The error panel: role=alert, the title, the message, a retry button; no rows, no ready event. */
function expectErrorPanel(el: VaultConnect, events: EventLog, message: string): void {
  const panel = statePanel(el);
  expect(panel, 'the error panel').to.not.equal(null);
  expect(panel?.getAttribute('role')).to.equal('alert');
  expect(text(panel)).to.contain(en.errorTitle);
  expect(text(panel)).to.contain(message);
  expect(panel?.querySelector('button[data-action="retry"]')).to.not.equal(null);
  expect(rows(el), 'no half-drawn list').to.have.length(0);
  expect(shadow(el).querySelector('[part="group"]')).to.equal(null);
  expect(events.ready).to.have.length(0);
  expect(events.errors).to.have.length(1);
  expect(events.errors[0].message).to.contain(message);
}

describe('<vault-connect> list with bad input from the Vault API', () => {
  afterEach(restoreFetch);

  it('a reply that is not JSON → invalid_response', async () => {
    const { el, events } = await mountFailing(() => new Response('<html>Bad gateway</html>', { status: 200, headers: { 'content-type': 'text/html' } }));
    expect(events.errors[0].code).to.equal('invalid_response');
    expectErrorPanel(el, events, en.errors.invalid_response);
  });

  it('{"data": "oops"} → invalid_response', async () => {
    const { el, events } = await mountFailing(() => jsonResponse({ data: 'oops' }));
    expect(events.errors[0].code).to.equal('invalid_response');
    expectErrorPanel(el, events, en.errors.invalid_response);
  });

  it('a list whose data is not an array, in a complete envelope → invalid_response', async () => {
    const { el, events } = await mountFailing(() => listResponse({ service_id: 'salesforce', unified_api: 'crm' }));
    expect(events.errors[0].code).to.equal('invalid_response');
    expectErrorPanel(el, events, en.errors.invalid_response);
  });

  it('one connection missing service_id → invalid_response and no half-drawn list', async () => {
    const good = connection({ service_id: 'salesforce' });
    const { service_id: _dropped, ...bad } = connection({ service_id: 'broken' });
    const { el, events } = await mountFailing(() => listResponse([good, bad, connection({ service_id: 'hubspot' })]));
    expect(events.errors[0].code).to.equal('invalid_response');
    expectErrorPanel(el, events, en.errors.invalid_response);
  });

  it('a connection with an unknown state → invalid_response', async () => {
    const { el, events } = await mountFailing(() => listResponse([{ ...connection({ service_id: 'x' }), state: 'exploded' }]));
    expect(events.errors[0].code).to.equal('invalid_response');
    expectErrorPanel(el, events, en.errors.invalid_response);
  });

  for (const [status, error, typeName, message, retryable] of [
    [500, 'Internal Server Error', 'UnexpectedError', 'Unexpected error', true],
    [402, 'Payment Required', 'RequestLimitError', 'Request limit exceeded', false],
    [404, 'Not Found', 'EntityNotFoundError', 'Unknown Consumer', false],
  ] as const) {
    it(`a ${status} Apideck error envelope → api_error showing Apideck’s message`, async () => {
      const { el, events } = await mountFailing(() => errorResponse(status, error, typeName, message));
      expect(events.errors[0]).to.include({ code: 'api_error', retryable });
      expect(events.errors[0].message).to.contain(message);
      expect(events.errors[0].message).to.contain(String(status));
      expectErrorPanel(el, events, `${message} (${status})`);
    });
  }

  it('an error status without an envelope → api_error with the status', async () => {
    const { el, events } = await mountFailing(() => new Response('upstream timeout', { status: 503 }));
    expect(events.errors[0]).to.include({ code: 'api_error', retryable: true });
    expectErrorPanel(el, events, '503');
  });

  it('a network failure (fetch rejects with TypeError) → network_error, retryable', async () => {
    const { el, events } = await mountFailing(() => Promise.reject(new TypeError('Failed to fetch')));
    expect(events.errors[0]).to.include({ code: 'network_error', retryable: true });
    expectErrorPanel(el, events, en.errors.network_error);
  });

  it('a failed row action shows its error in the row and reports api_error; the list stays', async () => {
    const { el, events } = await mountWithList([connection({ service_id: 'salesforce' }), connection({ service_id: 'hubspot' })], {
      route: (call) =>
        call.method === 'PATCH' ? errorResponse(422, 'Unprocessable Entity', 'InvalidStateError', 'Integration needs configuration') : undefined,
    });
    await chooseAction(row(el, 'salesforce'), 'disable');
    await events.waitFor('vault-connect-error');
    await el.updateComplete;
    expect(events.errors[0].code).to.equal('api_error');
    expect(events.errors[0].message).to.contain('Integration needs configuration (422)');
    const r = row(el, 'salesforce');
    expect(text(r.querySelector('[part="row-error"]'))).to.contain('Integration needs configuration (422)');
    expect(r.getAttribute('aria-busy')).to.equal('false');
    expect(text(r.querySelector('[part="badge"]'))).to.equal('Connected');
    expect(rows(el)).to.have.length(2);
    expect(events.changes).to.have.length(0);
    // Screen readers hear it too.
    await until(() => announcement(el) === events.errors[0].message, 'the failure is announced');
  });
});

describe('<vault-connect> list with hostile values in connections', () => {
  afterEach(restoreFetch);

  const MARKUP = '<img src=x onerror=alert(1)>';

  it('a name (and tag line) made of markup renders as literal text', async () => {
    const { el, events } = await mountWithList([connection({ service_id: 'evil', name: MARKUP, tag_line: `<b>${MARKUP}</b>` })]);
    expect(events.errors).to.deep.equal([]);
    const r = row(el, 'evil');
    expect(r.querySelector('[part="name"]')?.textContent).to.equal(MARKUP);
    expect(r.querySelector('[part="tag-line"]')?.textContent).to.equal(`<b>${MARKUP}</b>`);
    expect(shadow(el).querySelectorAll('img[src]')).to.have.length(0);
    expect(shadow(el).querySelectorAll('b')).to.have.length(0);
    expect(button(r, 'settings').getAttribute('aria-label')).to.equal(`Settings ${MARKUP}`);

    // And in the disconnect dialog.
    await chooseAction(r, 'disconnect');
    const title = (await dialog(el)).querySelector('h2');
    expect(title?.textContent).to.equal(`Disconnect ${MARKUP}?`);
    expect(shadow(el).querySelectorAll('img[src]')).to.have.length(0);
    shadow(el).querySelector('dialog')?.close();
  });

  it('a service id made of markup stays an attribute value', async () => {
    const { el } = await mountWithList([connection({ service_id: '"><img src=x>', name: 'Quotes' })]);
    expect(rows(el)[0].dataset.serviceId).to.equal('"><img src=x>');
    expect(shadow(el).querySelectorAll('img[src]')).to.have.length(0);
  });

  function icon(el: VaultConnect, serviceId: string): HTMLImageElement | null {
    return row(el, serviceId).querySelector('[part="icon"] img[src]');
  }

  it('icons are drawn only from https: and data:image/ URLs; anything else shows the monogram', async () => {
    const PNG = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=';
    const { el } = await mountWithList([
      connection({ service_id: 'js', name: 'Javascript', icon: 'javascript:alert(1)' }),
      connection({ service_id: 'js-upper', name: 'Upper', icon: ' JavaScript:alert(1)' }),
      connection({ service_id: 'html', name: 'Html', icon: 'data:text/html,<script>alert(1)</script>' }),
      connection({ service_id: 'http', name: 'Http', icon: 'http://example.com/icon.png' }),
      connection({ service_id: 'relative', name: 'Relative', icon: '/icon.png' }),
      connection({ service_id: 'https', name: 'Https', icon: 'https://example.com/icon.png' }),
      connection({ service_id: 'png', name: 'Png', icon: PNG }),
      connection({ service_id: 'logo', name: 'Logo', icon: 'javascript:alert(1)', logo: 'https://example.com/logo.png' }),
    ]);
    for (const id of ['js', 'js-upper', 'html', 'http', 'relative']) {
      expect(icon(el, id), id).to.equal(null);
      expect(text(row(el, id).querySelector('.monogram')), id).to.equal(text(row(el, id).querySelector('[part="name"]')).charAt(0));
    }
    expect([...shadow(el).querySelectorAll('img')].map((img) => img.getAttribute('src'))).to.not.include('javascript:alert(1)');
    expect(icon(el, 'https')?.getAttribute('src')).to.equal('https://example.com/icon.png');
    expect(icon(el, 'png')?.getAttribute('src')).to.equal(PNG);
    expect(icon(el, 'logo')?.getAttribute('src')).to.equal('https://example.com/logo.png');
    // Decorative: the name is next to it.
    expect(icon(el, 'png')?.getAttribute('alt')).to.equal('');
  });

  it('a broken https: icon is hidden so the monogram shows', async () => {
    const { el } = await mountWithList([connection({ service_id: 'broken', name: 'Broken', icon: 'https://127.0.0.1:1/missing.png' })]);
    const img = icon(el, 'broken');
    img?.setAttribute('loading', 'eager');
    await until(() => img?.hidden === true, 'the broken image hides');
    expect(text(row(el, 'broken').querySelector('.monogram'))).to.equal('B');
  });
});

describe('<vault-connect> with bad input from the session endpoint', () => {
  afterEach(restoreFetch);

  async function mountSession(reply: () => Response | Promise<Response>): Promise<{ el: VaultConnect; events: EventLog; calls: number }> {
    const stub = stubFetch((call) => (call.url.pathname === '/host/session' ? reply() : call.url.origin === STUB_API ? listResponse([]) : undefined));
    const { el, events } = await mount({ sessionUrl: '/host/session', unifyBaseUrl: STUB_API });
    await events.waitFor('vault-connect-error');
    await el.updateComplete;
    expect(stub.count('GET', '/vault/connections'), 'no Vault API call without a session').to.equal(0);
    return { el, events, calls: stub.count('POST', '/host/session') };
  }

  it('500 → session_failed, retryable', async () => {
    const { el, events, calls } = await mountSession(() => jsonResponse({ error: 'boom' }, 500));
    expect(events.errors[0]).to.include({ code: 'session_failed', retryable: true });
    expect(calls).to.equal(1);
    expectErrorPanel(el, events, en.errors.session_failed);
  });

  it('403 → session_failed, not retryable', async () => {
    const { events } = await mountSession(() => jsonResponse({ error: 'forbidden' }, 403));
    expect(events.errors[0]).to.include({ code: 'session_failed', retryable: false });
  });

  it('a reply that is not JSON → session_failed', async () => {
    const { el, events } = await mountSession(() => new Response('<html>login</html>', { headers: { 'content-type': 'text/html' } }));
    expect(events.errors[0].code).to.equal('session_failed');
    expectErrorPanel(el, events, en.errors.session_failed);
  });

  it('JSON without a token → session_failed', async () => {
    const { el, events } = await mountSession(() => jsonResponse({ ok: true }));
    expect(events.errors[0].code).to.equal('session_failed');
    expectErrorPanel(el, events, en.errors.session_failed);
  });

  it('a token that is not a JWT → session_failed', async () => {
    const { events } = await mountSession(() => jsonResponse({ session_token: 'not-a-jwt' }));
    expect(events.errors[0].code).to.equal('session_failed');
  });

  it('a JWT without application and consumer → session_failed', async () => {
    const { events } = await mountSession(() =>
      jsonResponse({ session_token: `${btoa('{"alg":"none"}')}.${btoa('{"sub":"x"}')}.sig`.replace(/=/g, '') }),
    );
    expect(events.errors[0].code).to.equal('session_failed');
  });

  it('a network failure → network_error, retryable', async () => {
    const { events } = await mountSession(() => Promise.reject(new TypeError('Failed to fetch')));
    expect(events.errors[0]).to.include({ code: 'network_error', retryable: true });
  });
});
