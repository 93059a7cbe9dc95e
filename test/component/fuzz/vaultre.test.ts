/**
 * Fuzz: the VaultRE row of a real `<vault-connect>` against hostile replies from the host's exchange endpoint, in
 * Chromium. Each case runs one authorization: `window.open` hands out a stand-in popup, the callback arrives (as the
 * callback page's `storage` write would) with our `state`, the code is posted to the stubbed host, and the host answers
 * with any status and body — error messages and `connected_at` values drawn from hostile strings. After each case the
 * shadow root holds only the template's markup, the row's error is text (at most the host's first 200 characters) and
 * never holds the code, and the outcome is `vaultre-connect` or a `vault-connect-error` with a contract code.
 *
 * The reply parsing itself is fuzzed with 2,000+ cases per property in Node (test/fuzz/vaultre-replies.test.ts); this
 * checks what reaches the DOM, one element render per case.
 */
import { expect } from '@open-wc/testing';
import fc from 'fast-check';
import { ERROR_CODES } from '../../../src/internal/api/vocabulary.ts';
import { CALLBACK_MESSAGE_TYPE, CALLBACK_STORAGE_KEY } from '../../../src/internal/popup/callback-message.ts';
import { anyBodyText, hostileJson, hostileString } from '../../fuzz/arbitraries.ts';
import { jsonResponse, restoreFetch, row, shadow, until } from '../support/helpers.ts';
import { mountVaultre, settledRow, spyOpen, stubHost, type OpenSpy } from '../support/vaultre-helpers.ts';

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

/** A stand-in popup: the element navigates it and closes it; nothing loads. */
function standIn(): Window & { href: string; closed: boolean } {
  const popup = {
    closed: false,
    href: '',
    close() {
      popup.closed = true;
    },
    focus() {},
    location: {
      get href() {
        return popup.href;
      },
      set href(value: string) {
        popup.href = value;
      },
    },
  };
  return popup as unknown as Window & { href: string; closed: boolean };
}

/** What the callback page's `localStorage` write looks like to this page. */
function deliver(query: Record<string, string>, id: string): void {
  const value = JSON.stringify({ type: CALLBACK_MESSAGE_TYPE, id, query, fragment: {} });
  window.dispatchEvent(new StorageEvent('storage', { key: CALLBACK_STORAGE_KEY, newValue: value, storageArea: localStorage }));
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
    restoreFetch();
    sessionStorage.clear();
    await new Promise((resolve) => setTimeout(resolve, 0));
    if (stray.length > 0) throw new Error(`stray errors:\n${stray.splice(0).join('\n')}`);
  });

  it('exchange replies: vaultre-connect or a typed error, shown as text, never the code', async () => {
    let next: Reply = { status: 200, body: '{}' };
    stubHost({ status: jsonResponse({ connected: false }), exchange: () => new Response(next.body, { status: next.status, headers: { 'content-type': 'application/json' } }) });
    const popups: ReturnType<typeof standIn>[] = [];
    opened = spyOpen(() => {
      const popup = standIn();
      popups.push(popup);
      return popup;
    });
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
        await until(() => popups.length === cases && popups[cases - 1].href.includes('state='), 'the popup goes to VaultRE');
        const state = new URL(popups[cases - 1].href).searchParams.get('state') ?? '';
        deliver({ reason: 'success', code, state }, `case-${cases}-${state}`);
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
      Math.round(120 * SCALE),
    );
    expect(cases).to.equal(Math.round(120 * SCALE));
  });
});

