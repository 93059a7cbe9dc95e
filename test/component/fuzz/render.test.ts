/**
 * Fuzz: no markup from input strings. Connection lists drawn from hostile strings (markup, `javascript:` and `data:`
 * URLs, Lit's own markers, unicode, lone surrogates, tens of kilobytes) go through a stubbed `fetch` into a real
 * `<vault-connect>`, and after each render the shadow root holds only what the template creates: allowed tags and
 * attributes only, no `on*` attribute, images only from `https:` / `data:image/` URLs and exactly the connection's, and
 * every name, tag line, id and group equal to the input as text. Hostile search queries and Apideck error messages go
 * through the same check. Many connections per render keep it to seconds; no uncaught error or unhandled rejection.
 *
 * The seed is fixed; `npm run fuzz` multiplies the case counts (`window.FUZZ_SCALE`, see test/fuzz/run.ts).
 */
import { expect } from '@open-wc/testing';
import fc from 'fast-check';
import { safeImageUrl } from '../../../src/internal/api/connection-status.ts';
import { AUTH_TYPES, CONNECTION_STATES, INTEGRATION_STATES } from '../../../src/internal/api/vocabulary.ts';
import { en } from '../../../src/i18n/en.ts';
import type { VaultConnect } from '../../../src/index.ts';
import { PAYLOADS, hostileString, nonEmptyHostileString } from '../../fuzz/arbitraries.ts';
import { STUB_API, errorResponse, forgedToken, listResponse, mount, restoreFetch, shadow, stubFetch, type EventLog } from '../support/helpers.ts';

const SEED = 20_240_601;
const SCALE = Number((window as Window & { FUZZ_SCALE?: number }).FUZZ_SCALE ?? 1);
const LIST = `${STUB_API}/vault/connections`;

// ---------------------------------------------------------------------------------------------------------------------
// Stray errors fail the test

const stray: string[] = [];
const onError = (event: ErrorEvent) => stray.push(`error: ${event.message}`);
const onRejection = (event: PromiseRejectionEvent) => stray.push(`unhandled rejection: ${String(event.reason)}`);

function assertNoStrayErrors(): void {
  if (stray.length > 0) throw new Error(`stray errors:\n${stray.splice(0).join('\n')}`);
}

/** `fc.assert`, with the failing assertion's own message up front (the test runner prints no `cause`) and cut short. */
async function check<T>(property: fc.IAsyncProperty<T>, runs: number): Promise<void> {
  try {
    await fc.assert(property, { seed: SEED, numRuns: runs, endOnFailure: true });
  } catch (error) {
    const cause = (error as Error & { cause?: unknown }).cause;
    throw new Error(`${String(cause).slice(0, 600)}\n${String((error as Error).message).slice(0, 1500)}`);
  }
}

// ---------------------------------------------------------------------------------------------------------------------
// What the template may create

const TAGS = new Set(['DIV', 'INPUT', 'STRONG', 'P', 'BUTTON', 'UL', 'LI', 'SPAN', 'IMG', 'SECTION', 'H3']);
const ATTRIBUTES = new Set([
  'part',
  'class',
  'type',
  'id',
  'role',
  'hidden',
  'disabled',
  'placeholder',
  'src',
  'alt',
  'loading',
  'referrerpolicy',
  'data-service-id',
  'data-key',
  'data-unified-api',
  'data-status',
  'data-tone',
  'data-action',
  'data-same-tab',
  'data-filter',
  'tabindex',
]);

/**
 * Every element in the shadow root is one the template makes, with the template's attributes; images are safe.
 * (Plain checks rather than one `expect` per element: a render has hundreds of elements.)
 */
function assertOnlyTemplateMarkup(root: ShadowRoot): void {
  for (const element of root.querySelectorAll('*')) {
    const tag = element.tagName.toLowerCase();
    if (!TAGS.has(element.tagName)) throw new Error(`unexpected <${tag}> in the shadow root`);
    for (const { name } of element.attributes) {
      if (name.startsWith('on')) throw new Error(`event handler attribute ${name} on <${tag}>`);
      if (!ATTRIBUTES.has(name) && !name.startsWith('aria-')) throw new Error(`unexpected attribute ${name} on <${tag}>`);
    }
    if (element instanceof HTMLImageElement && element.hasAttribute('src') && !/^(https:|data:image\/)/i.test(element.getAttribute('src') ?? '')) {
      throw new Error(`image source ${element.getAttribute('src')}`);
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------------
// Connections

const urlish = fc.oneof(
  fc.constantFrom(...PAYLOADS.filter((p) => /^[a-z ]*[a-z]+:|^\/\//i.test(p))),
  fc.constantFrom('https://cdn.example/logo.png', 'https://cdn.example/a b.png', 'data:image/png;base64,iVBORw0KGgo=', 'data:image/svg+xml,%3Csvg%3E'),
  hostileString({ huge: false }),
);

const optional = <T>(arbitrary: fc.Arbitrary<T>) => fc.option(arbitrary, { nil: undefined });

const connectionArb = fc.record({
  service_id: nonEmptyHostileString(),
  unified_api: fc.oneof(fc.constantFrom('crm', 'accounting', 'file-storage', '__proto__', 'constructor'), nonEmptyHostileString({ huge: false })),
  name: optional(hostileString()),
  tag_line: optional(hostileString()),
  icon: optional(urlish),
  logo: optional(urlish),
  state: optional(fc.constantFrom(...CONNECTION_STATES)),
  integration_state: optional(fc.constantFrom(...INTEGRATION_STATES)),
  auth_type: optional(fc.constantFrom(...AUTH_TYPES)),
  enabled: optional(fc.boolean()),
  authorize_url: optional(urlish),
});
type FuzzConnection = typeof connectionArb extends fc.Arbitrary<infer T> ? T : never;

/** The connections as the wire carries them (JSON has no `undefined`). */
const wire = (connections: FuzzConnection[]) => JSON.parse(JSON.stringify(connections)) as FuzzConnection[];

/** What a row is checked against. */
type RowInput = Pick<FuzzConnection, 'service_id' | 'unified_api'> & Partial<Pick<FuzzConnection, 'name' | 'tag_line' | 'icon' | 'logo'>>;

/** Checks the rendered list against the input: groups in order of first appearance, rows in input order, text as given. */
function assertRenderedAsText(el: VaultConnect, connections: readonly RowInput[]): void {
  const root = shadow(el);
  assertOnlyTemplateMarkup(root);
  const groups = new Map<string, RowInput[]>();
  for (const connection of connections) groups.set(connection.unified_api, [...(groups.get(connection.unified_api) ?? []), connection]);
  const sections = [...root.querySelectorAll<HTMLElement>('section[part="group"]')];
  expect(sections.map((s) => s.getAttribute('data-unified-api'))).to.deep.equal([...groups.keys()]);
  const fail = (what: string, actual: unknown, expected: unknown) => {
    throw new Error(`${what}: ${JSON.stringify(actual)?.slice(0, 200)} instead of ${JSON.stringify(expected)?.slice(0, 200)}`);
  };
  sections.forEach((section, index) => {
    const expected = [...groups.values()][index];
    if (section.querySelector('h3')?.children.length !== 0) fail('the group title has elements', section.querySelector('h3')?.innerHTML, 'text');
    const rows = [...section.querySelectorAll<HTMLElement>('li[part="connection"]')];
    if (rows.length !== expected.length) fail('rows', rows.length, expected.length);
    rows.forEach((row, i) => {
      const connection = expected[i];
      if (row.getAttribute('data-service-id') !== connection.service_id) fail('data-service-id', row.getAttribute('data-service-id'), connection.service_id);
      const name = row.querySelector('[part="name"]');
      const expectedName = connection.name?.trim() || connection.service_id;
      if (name?.children.length !== 0 || name.textContent !== expectedName) fail('name', name?.innerHTML, expectedName);
      const tagLine = row.querySelector('[part="tag-line"]');
      if ((tagLine?.children.length ?? 0) !== 0 || (tagLine?.textContent ?? '') !== (connection.tag_line ?? '')) fail('tag line', tagLine?.innerHTML, connection.tag_line);
      const icon = safeImageUrl(connection.icon) ?? safeImageUrl(connection.logo);
      const sources = [...row.querySelectorAll('img[src]')].map((img) => img.getAttribute('src'));
      if (sources.length !== (icon ? 1 : 0) || (icon && sources[0] !== icon)) fail('icons', sources, icon);
    });
  });
}

// ---------------------------------------------------------------------------------------------------------------------
// The element, fed through a stubbed fetch

let reply: () => Response = () => listResponse([]);

async function mountStubbed(): Promise<{ el: VaultConnect; events: EventLog }> {
  stubFetch((call) => (call.url.href.startsWith(LIST) ? reply() : new Response('{}', { status: 404 })));
  const mounted = await mount({ token: forgedToken(), unifyBaseUrl: STUB_API });
  await mounted.el.refresh();
  await mounted.el.updateComplete;
  return mounted;
}

async function show(el: VaultConnect, next: () => Response): Promise<void> {
  reply = next;
  await el.refresh();
  await el.updateComplete;
}

/** Types `query` into the search box; returns what the box holds (an input drops line breaks). */
async function search(el: VaultConnect, query: string): Promise<string> {
  const input = shadow(el).querySelector<HTMLInputElement>('input[type="search"]')!;
  input.value = query;
  input.dispatchEvent(new Event('input', { bubbles: true, composed: true }));
  await el.updateComplete;
  return input.value;
}

describe('fuzz: rendering hostile API data', function () {
  this.timeout(60_000);

  before(() => {
    window.addEventListener('error', onError);
    window.addEventListener('unhandledrejection', onRejection);
  });
  after(() => {
    window.removeEventListener('error', onError);
    window.removeEventListener('unhandledrejection', onRejection);
  });
  afterEach(async () => {
    restoreFetch();
    // Let a late rejection surface before the check.
    await new Promise((resolve) => setTimeout(resolve, 0));
    assertNoStrayErrors();
  });

  it('regression: a unified_api with a lone surrogate renders (its group id made render() throw a URIError)', async () => {
    // Found by the property below: JSON may carry "\ud800"; encodeURIComponent throws on it, and the element's whole
    // render failed (an unhandled rejection, and no list at all).
    const connections = [
      { service_id: 'salesforce', unified_api: 'crm', name: 'Salesforce' },
      { service_id: 'odd', unified_api: 'a\ud800b', name: 'Odd \udc00 one' },
    ];
    const { el, events } = await mountStubbed();
    await show(el, () => listResponse(connections));
    await new Promise((resolve) => setTimeout(resolve, 0));
    assertNoStrayErrors();
    expect(events.errors).to.deep.equal([]);
    assertRenderedAsText(el, connections);
    const ids = [...shadow(el).querySelectorAll('h3[part="group-title"]')].map((h) => h.id);
    expect(new Set(ids).size, 'distinct group ids').to.equal(2);
  });

  it('connection lists: only the template markup, the input as text, icons only from safe URLs', async () => {
    const { el, events } = await mountStubbed();
    let rendered = 0;
    await check(
      fc.asyncProperty(fc.array(connectionArb, { minLength: 20, maxLength: 40 }), hostileString({ huge: false }), async (list, query) => {
        const connections = wire(list);
        await show(el, () => listResponse(connections));
        expect(events.errors, 'no error for a valid list').to.deep.equal([]);
        assertRenderedAsText(el, connections);
        rendered += connections.length;
        // A hostile search query is text too (in the "no matches" panel when nothing matches); one case in three.
        if (query !== null) {
          const typed = await search(el, query);
          assertOnlyTemplateMarkup(shadow(el));
          const panel = shadow(el).querySelector('.list ~ [part="state"]');
          if (panel) expect(panel.textContent).to.equal(en.noMatches(typed.trim()));
          await search(el, '');
        }
        await new Promise((resolve) => setTimeout(resolve, 0));
        assertNoStrayErrors();
      }),
      Math.round(70 * SCALE),
    );
    // At least 2,000 hostile connections went through the real element.
    expect(rendered).to.be.at.least(Math.round(2000 * SCALE));
  });

  it('Apideck error messages: shown as text in the error panel', async () => {
    const { el, events } = await mountStubbed();
    await check(
      fc.asyncProperty(hostileString(), fc.constantFrom(400, 403, 404, 422, 429, 500, 503), async (message, status) => {
        const before = events.errors.length;
        await show(el, () => errorResponse(status, 'Error', 'Error', message));
        assertOnlyTemplateMarkup(shadow(el));
        const paragraph = shadow(el).querySelector('[part="state"].error p');
        expect(paragraph?.children.length, 'the message is text').to.equal(0);
        expect(paragraph?.textContent).to.equal(`${en.errors.api_error} ${message} (${status})`);
        expect(events.errors.length).to.equal(before + 1);
        expect(events.errors.at(-1)?.code).to.equal('api_error');
        assertNoStrayErrors();
      }),
      Math.round(200 * SCALE),
    );
  });
});
