/**
 * Fuzz: the VaultRE row of a real `<vault-connect>` against hostile replies from the host's exchange endpoint, in
 * Chromium, through the real callback page. Each case runs one authorization: `window.open` hands out a stand-in popup
 * (a same-origin iframe), the host answers the authorize request, the popup returns to the callback page
 * (`fixtures/callback.html`) with the state, the callback page posts the code to the stubbed host, which answers with
 * any status and body — error messages and `connected_at` values drawn from hostile strings — and relays the outcome.
 * After each case the shadow root holds only the template's markup, the row's error is text (at most the host's first
 * 200 characters) and never holds the code, and the outcome is `vaultre-connect` or a `vault-connect-error` with a
 * contract code.
 *
 * The reply parsing itself is fuzzed with 2,000+ cases per property in Node (test/fuzz/vaultre-replies.test.ts); this
 * checks what reaches the DOM, one element render and one callback page per case.
 */
import { expect } from '@open-wc/testing';
import fc from 'fast-check';
import { ERROR_CODES } from '../../../src/internal/api/vocabulary.ts';
import { anyBodyText, hostileJson, hostileString } from '../../fuzz/arbitraries.ts';
import { removeFrames } from '../support/popup-helpers.ts';
import { jsonResponse, restoreFetch, row, shadow } from '../support/helpers.ts';
import { CALLBACK_URL, authorizeUrlOf, mountVaultre, popupFrames, returnTo, settledRow, stubHost, type OpenSpy } from '../support/vaultre-helpers.ts';

const SEED = 20_240_601;
const SCALE = Number((window as Window & { FUZZ_SCALE?: number }).FUZZ_SCALE ?? 1);

const stray: string[] = [];
const onError = (event: ErrorEvent) => stray.push(`error: ${event.message}`);
const onRejection = (event: PromiseRejectionEvent) => stray.push(`unhandled rejection: ${String(event.reason)}`);

async function check<T>(property: fc.IAsyncProperty<T>, runs: number): Promise<void> {
  try {
    await fc.assert(property, { seed: SEED, numRuns: runs, endOnFailure: true });
  } catch (error) {
    const cause = (error as Error & { cause?: unknown }).cause;
    throw new Error(`${String(cause).slice(0, 600)}\n${String((error as Error).message).slice(0, 1500)}`);
  }
}

const TAGS = new Set(['DIV', 'INPUT', 'STRONG', 'P', 'BUTTON', 'UL', 'LI', 'SPAN', 'IMG', 'SECTION', 'H3']);

function assertOnlyTemplateMarkup(root: ShadowRoot): void {
  for (const element of root.querySelectorAll('*')) {
    if (!TAGS.has(element.tagName)) throw new Error(`unexpected <${element.tagName.toLowerCase()}>`);
    for (const { name } of element.attributes) if (name.startsWith('on')) throw new Error(`event handler attribute ${name}`);
  }
}

type Reply = { status: number; body: string };

describe('fuzz: VaultRE host replies in the rendered row', function () {
  this.timeout(60_000);
  let opened: OpenSpy | undefined;

  before(() => {
    window.addEventListener('error', onError);
    window.addEventListener('unhandledrejection', onRejection);
  });
  after(() => {
    window.removeEventListener('error', onError);
    window.removeEventListener('unhandledrejection', onRejection);
  });
  afterEach(async () => {
    opened?.restore();
    opened = undefined;
    removeFrames();
    restoreFetch();
    sessionStorage.clear();
    await new Promise((resolve) => setTimeout(resolve, 0));
    if (stray.length > 0) throw new Error(`stray errors:\n${stray.splice(0).join('\n')}`);
  });

  it('exchange replies: vaultre-connect or a typed error, shown as text, never the code', async () => {
    let next: Reply = { status: 200, body: '{}' };
    stubHost({ status: jsonResponse({ connected: false }), exchange: () => new Response(next.body, { status: next.status, headers: { 'content-type': 'application/json' } }) });
    // One stand-in popup, handed out for every case (the element "closes" it; an iframe stays).
    const { frames, opened: spy } = await popupFrames(1);
    opened = spy;
    const popup = frames[0].contentWindow!;
    window.open = () => popup;
    const { el, events, vaultre } = await mountVaultre();
    await settledRow(el);
    let cases = 0;

    const reply = fc.record({
      status: fc.oneof({ arbitrary: fc.constantFrom(200, 201), weight: 2 }, { arbitrary: fc.constantFrom(400, 401, 403, 409, 410, 422, 500, 502, 504), weight: 3 }),
      body: fc.oneof(
        fc.record({ error: fc.oneof(fc.constantFrom('code_expired', 'exchange_failed'), hostileString({ huge: false })), message: hostileString() }).map((v) => JSON.stringify(v)),
        fc.record({ connected: fc.boolean(), token_type: fc.constantFrom('account', 'user'), connected_at: hostileString({ huge: false }) }).map((v) => JSON.stringify(v)),
        hostileJson.map((v) => JSON.stringify(v) ?? 'null'),
        anyBodyText,
      ),
    });

    await check(
      fc.asyncProperty(reply, async (answer) => {
        cases++;
        next = answer;
        const code = `c0de${cases.toString(16).padStart(6, '0')}feedfacecafebeef0123`;
        const errorsBefore = events.errors.length;
        const connectsBefore = vaultre.connects.length;
        const done = el.connectVaultre();
        const authorize = await authorizeUrlOf(popup);
        returnTo(popup, CALLBACK_URL, { reason: 'success', code, state: authorize.searchParams.get('state') ?? '' });
        await done;
        await el.updateComplete;
        const root = shadow(el);
        assertOnlyTemplateMarkup(root);
        const rowError = row(el, 'vaultre').querySelector('[part="row-error"]');
        expect(rowError?.children.length ?? 0, 'the error is text').to.equal(0);
        expect(root.innerHTML.includes(code), 'the code is not in the DOM').to.equal(false);
        const connected = vaultre.connects.length > connectsBefore;
        const failed = events.errors.length > errorsBefore;
        expect(connected !== failed, 'one outcome').to.equal(true);
        if (failed) {
          const error = events.errors.at(-1)!;
          expect((ERROR_CODES as readonly string[]).includes(error.code), error.code).to.equal(true);
          expect(error.message.includes(code)).to.equal(false);
          expect(rowError?.textContent, 'the row shows the error').to.equal(error.message);
          let message: unknown;
          try {
            message = (JSON.parse(answer.body) as { message?: unknown } | null)?.message;
          } catch {
            message = undefined;
          }
          if (error.code === 'exchange_failed' && typeof message === 'string' && message !== '') {
            expect(error.message.endsWith(message.slice(0, 200)), 'the host message, cut to 200 characters').to.equal(true);
          }
        } else {
          expect(answer.status).to.be.within(200, 299);
        }
      }),
      Math.round(60 * SCALE),
    );
    expect(cases).to.equal(Math.round(60 * SCALE));
  });
});

