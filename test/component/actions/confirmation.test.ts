/**
 * `pending_confirmation`: a CSRF-protected direct authorization returns `#nonce=…&confirm_token=…`, and the element
 * confirms it. When the confirmation fails in a way a new attempt may fix, the element holds the token (in memory only)
 * and the row, reading "Confirming…", completes it with Try again; otherwise the row offers Reconnect.
 */
import { expect } from '@open-wc/testing';
import type { Connection } from '../../../src/index.ts';
import { broadcast, callbackMessage, fakePopup, type FakePopup } from '../support/popup-helpers.ts';
import {
  badge,
  button,
  connection,
  connectionResponse,
  errorResponse,
  type FetchCall,
  jsonResponse,
  mountWithList,
  offeredActions,
  restoreFetch,
  row,
  shadow,
  STUB_API,
  text,
  until,
} from '../support/helpers.ts';

const XERO = '/vault/connections/accounting/xero';
/** The `confirm_token` a `POST …/confirm` sent. */
const tokenOf = (call: FetchCall) => (JSON.parse(call.body ?? '{}') as { confirm_token?: string }).confirm_token;
const originalOpen = Object.getOwnPropertyDescriptor(window, 'open')!;

const available = connection({
  service_id: 'xero',
  unified_api: 'accounting',
  state: 'available',
  authorize_url: `${STUB_API}/vault/authorize/xero/sandbox-app?state=apideck-state`,
});
const pending: Connection = { ...available, state: 'authorized', health: 'pending_confirmation', updated_at: 2 };
const confirmed: Connection = { ...available, state: 'callable', health: 'ok', updated_at: 3 };

afterEach(() => {
  Object.defineProperty(window, 'open', originalOpen);
  restoreFetch();
});

/**
 * The element in `direct` mode on Xero, against a stub API whose `POST …/confirm` answers `confirmReplies` in turn;
 * the connection reads as pending until a confirmation succeeds.
 */
async function directFlow(confirmReplies: (() => Response)[]) {
  let state: Connection = available;
  const confirms: FetchCall[] = [];
  const { el, events, stub } = await mountWithList([available], {
    route: (call) => {
      if (call.url.origin !== STUB_API) return undefined;
      if (call.method === 'POST' && call.url.pathname === `${XERO}/confirm`) {
        confirms.push(call);
        const reply = (confirmReplies.shift() ?? (() => errorResponse(400, 'Bad Request', 'BadRequestError', 'Invalid confirm token')))();
        if (reply.ok) state = confirmed;
        return reply;
      }
      if (call.method === 'GET' && call.url.pathname === XERO) return connectionResponse(state);
      return undefined;
    },
  });
  el.openMode = 'direct';
  el.callbackUrl = new URL('/callback.html', location.href).href;
  await el.updateComplete;
  let popup: FakePopup | undefined;
  window.open = () => (popup = fakePopup());
  button(row(el, 'xero'), 'connect').click();
  await until(() => popup?.href.startsWith(STUB_API), 'the popup goes to the authorize URL');
  const nonce = new URL(popup!.href).searchParams.get('nonce') ?? '';
  // Apideck stored the credentials unconfirmed; the callback page relays the return.
  state = pending;
  broadcast(callbackMessage({}, { nonce, confirm_token: 'confirm-token-1', service_id: 'xero' }));
  return { el, events, stub, confirms };
}

describe('<vault-connect> pending confirmation', () => {
  it('confirms at once with the token it holds; the row becomes Connected', async () => {
    const { el, events, confirms } = await directFlow([() => jsonResponse({ status_code: 200, status: 'OK', data: { confirmed: true } })]);
    await events.waitFor('vault-connection-change');
    await el.updateComplete;
    expect(confirms.map(tokenOf)).to.deep.equal(['confirm-token-1']);
    expect(badge(row(el, 'xero')).dataset.status).to.equal('connected');
    expect(events.errors).to.deep.equal([]);
  });

  it('a confirmation that fails for now: "Confirming…", Try again completes it with the token held in memory', async () => {
    const { el, events, confirms } = await directFlow([
      () => errorResponse(503, 'Service Unavailable', 'ServiceUnavailableError', 'Try later'),
      () => jsonResponse({ status_code: 200, status: 'OK', data: { confirmed: true } }),
    ]);
    await events.waitFor('vault-connect-error');
    await el.updateComplete;
    expect(events.errors[0]).to.include({ code: 'api_error', retryable: true });
    const r = row(el, 'xero');
    expect(badge(r).dataset.status).to.equal('pending_confirmation');
    expect(text(badge(r))).to.equal('Confirming…');
    expect(await offeredActions(r)).to.deep.equal(['reconnect', 'retry', 'disconnect']);
    // The token is nowhere but in the element's memory.
    expect(JSON.stringify({ ...sessionStorage, ...localStorage })).to.not.contain('confirm-token-1');
    expect(shadow(el).innerHTML).to.not.contain('confirm-token-1');

    button(r, 'retry').click();
    await until(() => badge(row(el, 'xero')).dataset.status === 'connected', 'connected after Try again');
    expect(confirms.map(tokenOf)).to.deep.equal(['confirm-token-1', 'confirm-token-1']);
    expect(await offeredActions(row(el, 'xero'))).to.not.include('retry');
    expect(events.changes.at(-1)?.state).to.equal('callable');
  });

  it('a token Apideck refuses is let go: the row offers Reconnect, no Try again', async () => {
    const { el, events, confirms } = await directFlow([() => errorResponse(400, 'Bad Request', 'BadRequestError', 'Invalid confirm token')]);
    await events.waitFor('vault-connect-error');
    await el.updateComplete;
    expect(events.errors[0]).to.include({ code: 'api_error', retryable: false });
    const r = row(el, 'xero');
    expect(badge(r).dataset.status).to.equal('pending_confirmation');
    expect(await offeredActions(r)).to.deep.equal(['reconnect', 'disconnect']);
    expect(confirms).to.have.length(1);
  });
});
