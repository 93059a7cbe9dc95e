/**
 * One error mapping for a failed code exchange, whichever way the callback page reported the host's answer: relayed
 * from the popup (popup flow) or stored for the element (same-tab fallback). The same answer gives the same
 * `vault-connect-error` on both paths; a 5xx or a 429 is worth trying again, and so is anything that needs a new
 * authorization (an expired code, a state the server refused, a token it could not store); another 4xx is not.
 */
import { expect } from '@open-wc/testing';
import { PENDING_KEY, RESULT_KEY } from '../../../src/internal/popup/redirect-fallback.ts';
import { removeFrames } from '../support/popup-helpers.ts';
import { actionsOf, button, restoreFetch, row } from '../support/helpers.ts';
import {
  CALLBACK_URL,
  EXCHANGE_PATH,
  authorizeUrlOf,
  fakeCode,
  mountVaultre,
  popupFrames,
  returnTo,
  settledRow,
  stubHost,
  type OpenSpy,
} from '../support/vaultre-helpers.ts';

let opened: OpenSpy | undefined;

afterEach(() => {
  opened?.restore();
  opened = undefined;
  removeFrames();
  restoreFetch();
  sessionStorage.clear();
});

/** The host's answers to a code exchange, and what either path must report. */
const ANSWERS = [
  {
    name: '429 rate_limited with Retry-After',
    status: 429,
    headers: { 'retry-after': '30' },
    body: { error: 'rate_limited', message: 'Too many attempts. Try again in 30 seconds.', retry_after: 30 },
    // What the callback page stores of that answer.
    stored: { retryAfter: 30 },
    expected: { code: 'rate_limited', message: 'Too many attempts. Try again in 30 seconds.', retryable: true },
  },
  {
    name: '429 without Retry-After',
    status: 429,
    body: { error: 'rate_limited', message: 'Slow down' },
    expected: { code: 'rate_limited', message: 'Too many attempts.', retryable: true },
  },
  {
    name: '502 exchange_failed',
    status: 502,
    body: { error: 'exchange_failed', message: 'VaultRE is down' },
    expected: { code: 'exchange_failed', message: 'The connection could not be completed. VaultRE is down', retryable: true },
  },
  {
    name: '400 state_mismatch',
    status: 400,
    body: { error: 'state_mismatch', message: 'Start again' },
    expected: { code: 'state_mismatch', message: 'The reply did not match this request.', retryable: true },
  },
  {
    name: '500 store_failed',
    status: 500,
    body: { error: 'store_failed', message: 'The server could not save the VaultRE connection.' },
    expected: { code: 'store_failed', message: 'The connection could not be saved. Please connect again.', retryable: true },
  },
  {
    name: '400 without a message',
    status: 400,
    body: { error: 'invalid_request' },
    expected: { code: 'exchange_failed', message: 'The connection could not be completed. (400)', retryable: false },
  },
  {
    name: '400 code_expired',
    status: 400,
    body: { error: 'code_expired', message: 'The code expired.' },
    expected: { code: 'code_expired', message: 'The authorization expired. Please try again.', retryable: true },
  },
] as const;

describe('VaultRE: a failed code exchange', () => {
  for (const answer of ANSWERS) {
    it(`${answer.name}: the popup flow reports it as the same-tab fallback does`, async () => {
      // The popup flow: the callback page in the popup posts the code and relays the answer.
      ({ opened } = await popupFrames(1));
      stubHost({
        exchange: () => new Response(JSON.stringify(answer.body), { status: answer.status, headers: { 'content-type': 'application/json', ...('headers' in answer ? answer.headers : {}) } }),
      });
      const popupFlow = await mountVaultre();
      button(await settledRow(popupFlow.el), 'connect').click();
      const authorize = await authorizeUrlOf(opened.windows[0]);
      returnTo(opened.windows[0], CALLBACK_URL, { reason: 'success', code: fakeCode(), state: authorize.searchParams.get('state') ?? '' });
      await popupFlow.events.waitFor('vault-connect-error');
      expect(popupFlow.events.errors).to.deep.equal([answer.expected]);
      await popupFlow.el.updateComplete;
      expect(actionsOf(row(popupFlow.el, 'vaultre')).includes('retry'), 'a retry is offered').to.equal(answer.expected.retryable);
      popupFlow.el.remove();
      removeFrames();
      restoreFetch();

      // The same-tab fallback: the callback page posted the code and stored the host's answer, as it does.
      const id = 'same-tab-flow-0002';
      sessionStorage.setItem(
        PENDING_KEY,
        JSON.stringify({
          id,
          kind: 'vaultre',
          mode: 'same-tab',
          state: 'S'.repeat(22),
          returnUrl: location.href,
          exchangeUrl: new URL(EXCHANGE_PATH, location.href).href,
          tokenType: 'account',
          redirectUri: CALLBACK_URL,
          startedAt: Date.now(),
        }),
      );
      sessionStorage.setItem(
        RESULT_KEY,
        JSON.stringify({ type: 'exchange', id, ok: false, status: answer.status, ...answer.body, ...('stored' in answer ? answer.stored : {}) }),
      );
      stubHost();
      const sameTab = await mountVaultre();
      await sameTab.events.waitFor('vault-connect-error');
      expect(sameTab.events.errors).to.deep.equal([answer.expected]);
      await sameTab.el.updateComplete;
      expect(actionsOf(row(sameTab.el, 'vaultre')).includes('retry'), 'a retry is offered').to.equal(answer.expected.retryable);
    });
  }
});
