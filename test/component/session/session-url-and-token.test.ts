import { expect } from '@open-wc/testing';
import { SEED_CONNECTOR_COUNT } from '../../../src/sandbox/seed.ts';
import {
  badge,
  expireSessions,
  forgedToken,
  jsonResponse,
  mount,
  mountSandbox,
  restoreFetch,
  row,
  rows,
  sandbox,
  sandboxApi,
  sandboxToken,
  sessionUrl,
  shadow,
  statePanel,
  stubFetch,
  text,
  uniqueConsumer,
  until,
} from '../support/helpers.ts';
import { en } from '../../../src/i18n/en.ts';
import type { VaultConnect } from '../../../src/index.ts';

const SESSION = '/__sandbox/session';
const LIST = '/vault/connections';

afterEach(restoreFetch);

describe('<vault-connect> session when the Vault API answers 401', () => {
  it('after the sessions expire, refresh() gets a 401, asks session-url once more, retries once and renders', async () => {
    const spy = stubFetch();
    // A sandbox of its own: expiring every session must not touch the test files running beside this one.
    const { el, events } = await mountSandbox({ instance: 'expiry' });
    expect(spy.count('POST', SESSION)).to.equal(1);
    expect(spy.count('GET', LIST)).to.equal(1);

    await expireSessions('expiry');
    await el.refresh();

    expect(spy.count('POST', SESSION)).to.equal(2);
    expect(spy.count('GET', LIST)).to.equal(3);
    const [, firstRetry, secondRetry] = spy.calls.filter((c) => c.method === 'GET' && c.url.pathname === LIST);
    expect(firstRetry.headers.get('authorization')).to.not.equal(secondRetry.headers.get('authorization'));
    expect(rows(el)).to.have.length(SEED_CONNECTOR_COUNT);
    expect(statePanel(el)).to.equal(null);
    expect(events.errors).to.deep.equal([]);
    expect(events.ready).to.have.length(1);
  });

  it('a session-url that keeps returning an invalid token: the second 401 is session_failed, not a loop', async () => {
    const { vaultApiUrl } = await sandbox();
    // The Vault API is the real sandbox; the host's endpoint returns a token the sandbox never issued.
    const spy = stubFetch((call) => (call.url.pathname === '/host/session' ? jsonResponse({ session_token: forgedToken() }) : undefined));
    const { el, events } = await mount({ sessionUrl: '/host/session', unifyBaseUrl: vaultApiUrl });
    await events.waitFor('vault-connect-error');
    await el.updateComplete;

    expect(events.errors).to.have.length(1);
    expect(events.errors[0].code).to.equal('session_failed');
    expect(events.errors[0].retryable).to.be.true;
    expect(spy.count('POST', '/host/session')).to.equal(2);
    expect(spy.count('GET', LIST)).to.equal(2);

    // What the user sees: the error panel with the message and a retry button, no rows.
    const panel = statePanel(el);
    expect(panel?.getAttribute('role')).to.equal('alert');
    expect(text(panel)).to.contain('The integrations could not be loaded');
    expect(text(panel)).to.contain(en.errors.session_failed);
    expect(events.errors[0].message).to.contain(en.errors.session_failed);
    expect(panel?.querySelector('[data-action="retry"]')).to.not.equal(null);
    expect(rows(el)).to.have.length(0);
    expect(events.ready).to.have.length(0);

    // And it stays put.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(spy.count('POST', '/host/session')).to.equal(2);
    expect(spy.count('GET', LIST)).to.equal(2);
  });

  it('a token given directly cannot be renewed: one 401 is session_failed (not retryable) and session-url is never asked', async () => {
    const { vaultApiUrl } = await sandbox();
    const spy = stubFetch();
    const { el, events } = await mount({ token: forgedToken(), unifyBaseUrl: vaultApiUrl });
    await events.waitFor('vault-connect-error');
    expect(events.errors[0]).to.include({ code: 'session_failed', retryable: false });
    expect(spy.count('GET', LIST)).to.equal(1);
    expect(spy.calls.filter((c) => c.method === 'POST')).to.deep.equal([]);
    await el.updateComplete;
    expect(text(statePanel(el))).to.contain(en.errors.session_failed);
  });
});

describe('<vault-connect> session from session-url', () => {
  it('accepts Apideck’s own envelope {data: {session_token}} from session-url', async () => {
    const { vaultApiUrl } = await sandbox();
    const consumer = uniqueConsumer();
    const token = await sandboxToken(consumer);
    stubFetch((call) => (call.url.pathname === '/host/session' ? jsonResponse({ data: { session_token: token } }) : undefined));
    const { el, events } = await mount({ sessionUrl: '/host/session', unifyBaseUrl: vaultApiUrl });
    await events.waitFor('vault-connect-ready');
    await el.updateComplete;
    expect(rows(el)).to.have.length(SEED_CONNECTOR_COUNT);
    expect(events.errors).to.deep.equal([]);
  });

  it('waits for a session, then loads when session-url is set', async () => {
    const { vaultApiUrl } = await sandbox();
    const { el, events } = await mount({ unifyBaseUrl: vaultApiUrl });
    expect(text(statePanel(el))).to.equal('Waiting for a session…');
    expect(shadow(el).querySelector<HTMLInputElement>('input[type="search"]')?.disabled).to.be.true;
    el.sessionUrl = sessionUrl(uniqueConsumer());
    await events.waitFor('vault-connect-ready');
    await el.updateComplete;
    expect(rows(el)).to.have.length(SEED_CONNECTOR_COUNT);
    expect(events.errors).to.deep.equal([]);
  });

  it('switching session-url to another consumer reloads with that consumer’s connections', async () => {
    const other = uniqueConsumer('other');
    await sandboxApi(other, 'PATCH', '/vault/connections/crm/salesforce', { enabled: false });
    const { el, events } = await mountSandbox();
    expect(badge(row(el, 'salesforce')).dataset.status).to.equal('connected');
    el.setAttribute('session-url', sessionUrl(other));
    await until(() => rows(el).length === SEED_CONNECTOR_COUNT && badge(row(el, 'salesforce')).dataset.status === 'disabled', 'the other consumer’s list');
    expect(events.errors).to.deep.equal([]);
  });
});

describe('<vault-connect> session from a token given directly', () => {
  it('a valid token given directly lists that consumer’s connections', async () => {
    const { vaultApiUrl } = await sandbox();
    const consumer = uniqueConsumer();
    await sandboxApi(consumer, 'PATCH', '/vault/connections/crm/salesforce', { enabled: false });
    const { el, events } = await mount({ token: await sandboxToken(consumer), unifyBaseUrl: vaultApiUrl });
    await events.waitFor('vault-connect-ready');
    await el.updateComplete;
    expect(badge(row(el, 'salesforce')).dataset.status).to.equal('disabled');
  });

  it('a token set right after append, in the same task (plain DOM code does this), is used', async () => {
    const { vaultApiUrl } = await sandbox();
    const token = await sandboxToken(uniqueConsumer());
    const el = document.createElement('vault-connect');
    el.unifyBaseUrl = vaultApiUrl;
    const ready: unknown[] = [];
    el.addEventListener('vault-connect-ready', (event) => ready.push(event.detail));
    document.body.append(el);
    el.token = token;
    try {
      await until(() => ready.length === 1, 'the list loads').catch(() => {
        throw new Error(`the list never loaded; the element shows ${showing(el)}`);
      });
    } finally {
      el.remove();
    }
  });

  it('with a token, the list request leaves before the first render (it does not wait for the loading state)', async () => {
    const rendered: boolean[] = [];
    const el = document.createElement('vault-connect');
    stubFetch((call) => (call.url.pathname === LIST ? jsonResponse({ status_code: 200, status: 'OK', data: [] }) : undefined));
    // Noted when fetch is called (the stub itself answers a little later, once it has read the request).
    const stubbed = window.fetch.bind(window);
    window.fetch = (input, init) => {
      rendered.push(el.shadowRoot?.querySelector('ul[aria-busy="true"]') != null);
      return stubbed(input, init);
    };
    el.unifyBaseUrl = 'https://unify.test';
    el.token = forgedToken();
    document.body.append(el);
    try {
      expect(rendered, 'requested inside append()').to.deep.equal([false]);
      await until(() => text(statePanel(el)).includes(en.empty), 'the empty list');
    } finally {
      el.remove();
    }
  });
});

describe('<vault-connect> session while session-url is still answering', () => {
  it('refresh() while the first load is still asking session-url does not fail the list', async () => {
    const { vaultApiUrl } = await sandbox();
    const consumer = uniqueConsumer();
    const { el, events } = await mount({ sessionUrl: sessionUrl(consumer), unifyBaseUrl: vaultApiUrl });
    // The first load is in flight (the session request takes a round trip); a host reloads at once.
    await el.refresh();
    await el.updateComplete;
    expect(events.errors, events.summary()).to.deep.equal([]);
    expect(rows(el)).to.have.length(SEED_CONNECTOR_COUNT);
    expect(events.ready).to.have.length(1);
  });

  it('openConnection() while the first load is still asking session-url opens the connection', async () => {
    const { vaultApiUrl } = await sandbox();
    const opened: string[] = [];
    const { el, events } = await mount({
      sessionUrl: sessionUrl(uniqueConsumer()),
      unifyBaseUrl: vaultApiUrl,
      vaultModal: {
        open: (options) => {
          opened.push(options.serviceId ?? '');
          options.onClose?.();
        },
        close: () => undefined,
      },
    });
    await el.openConnection('pipedrive');
    expect(events.errors, events.summary()).to.deep.equal([]);
    expect(opened).to.deep.equal(['pipedrive']);
  });

  it('moved in the DOM (detached and attached again in one task) while asking session-url, it still loads', async () => {
    const { vaultApiUrl } = await sandbox();
    const { el, events } = await mount({ sessionUrl: sessionUrl(uniqueConsumer()), unifyBaseUrl: vaultApiUrl });
    // Frameworks move elements like this when they reorder a list.
    const parent = el.parentElement;
    el.remove();
    parent?.append(el);
    await until(() => events.ready.length === 1 || events.errors.length > 0, 'the list or an error');
    expect(events.errors, events.summary()).to.deep.equal([]);
    await el.updateComplete;
    expect(rows(el)).to.have.length(SEED_CONNECTOR_COUNT);
  });
});

/** What the element shows instead of a list, for failure messages. */
function showing(el: VaultConnect): string {
  if (shadow(el).querySelector('.skeleton')) return 'the loading skeleton';
  return `“${text(statePanel(el))}”`;
}

describe('<vault-connect> session-url over its rate limit', () => {
  const limited = (headers: Record<string, string> = {}) =>
    new Response(JSON.stringify({ error: 'rate_limited', message: 'Too many attempts.', retry_after: 30 }), {
      status: 429,
      headers: { 'content-type': 'application/json', ...headers },
    });

  it('429 with Retry-After: rate_limited, retryable, with the wait; the retry button then loads the list', async () => {
    const { vaultApiUrl } = await sandbox();
    const token = await sandboxToken(uniqueConsumer());
    let answer = () => limited({ 'retry-after': '30' });
    const spy = stubFetch((call) => (call.url.pathname === '/host/session' ? answer() : undefined));
    const { el, events } = await mount({ sessionUrl: '/host/session', unifyBaseUrl: vaultApiUrl });
    await events.waitFor('vault-connect-error');
    await el.updateComplete;
    expect(events.errors).to.deep.equal([{ code: 'rate_limited', message: 'Too many attempts. Try again in 30 seconds.', retryable: true }]);
    const panel = statePanel(el);
    expect(panel?.getAttribute('role')).to.equal('alert');
    expect(text(panel)).to.contain('Too many attempts. Try again in 30 seconds.');
    // Asked once: a 429 is not a 401, so the session is not asked again by itself.
    expect(spy.count('POST', '/host/session')).to.equal(1);
    expect(spy.count('GET', LIST)).to.equal(0);

    answer = () => jsonResponse({ session_token: token });
    panel?.querySelector<HTMLButtonElement>('[data-action="retry"]')?.click();
    await events.waitFor('vault-connect-ready');
    expect(rows(el).length).to.be.greaterThan(0);
    expect(statePanel(el)).to.equal(null);
  });

  it('in every locale, with one second in the singular; without a usable Retry-After, no wait is invented', async () => {
    const { vaultApiUrl } = await sandbox();
    const cases = [
      ['en', '1', 'Too many attempts. Try again in 1 second.'],
      ['nl', '30', 'Te veel pogingen. Probeer het over 30 seconden opnieuw.'],
      ['de', '30', 'Zu viele Versuche. Bitte versuchen Sie es in 30 Sekunden erneut.'],
      ['fr', '30', 'Trop de tentatives. Réessayez dans 30\u00a0secondes.'],
      ['es', '2.5', 'Demasiados intentos. Inténtalo de nuevo en 3 segundos.'],
      // An HTTP date, or no header at all (the body's retry_after is not read): the message alone.
      ['en', 'Wed, 21 Oct 2026 07:28:00 GMT', 'Too many attempts.'],
      ['en', undefined, 'Too many attempts.'],
      ['en', '-5', 'Too many attempts.'],
    ] as const;
    for (const [locale, header, message] of cases) {
      stubFetch((call) => (call.url.pathname === '/host/session' ? limited(header === undefined ? {} : { 'retry-after': header }) : undefined));
      const { el, events } = await mount({ sessionUrl: '/host/session', unifyBaseUrl: vaultApiUrl, locale });
      await events.waitFor('vault-connect-error');
      expect(events.errors[0], `${locale} ${String(header)}`).to.deep.equal({ code: 'rate_limited', message, retryable: true });
      el.remove();
    }
  });
});
