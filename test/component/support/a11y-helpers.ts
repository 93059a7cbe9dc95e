/**
 * Accessibility checks for the component tests: axe-core on the element (its shadow DOM included) in both themes, a
 * proof that axe's colour-contrast rule really looked inside the shadow root, an explicit WCAG contrast computation
 * from computed colours (for what axe cannot judge: one-letter text, placeholders, input borders), and keyboard focus
 * helpers built on real key presses (`sendKeys`).
 */
import { expect } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
// axe-core's browser build: it registers `window.axe` (as `@open-wc/testing`'s `accessible()` loads it).
import 'axe-core/axe.min.js';
import type { Connection, VaultConnect } from '../../../src/index.ts';
import {
  STUB_API,
  button,
  connectionResponse,
  errorResponse,
  forgedToken,
  listResponse,
  shadow,
  until,
  type EventLog,
  type FetchCall,
  type FetchRoute,
} from './helpers.ts';
import {
  CALLBACK_URL,
  authorizeUrlOf,
  fakeCode,
  mountVaultre,
  popupFrames,
  returnTo,
  settledRow,
  stubHost,
  type HostStub,
  type OpenSpy,
} from './vaultre-helpers.ts';

// ---------------------------------------------------------------------------------------------------------------------
// Colours

const canvas = document.createElement('canvas');
canvas.width = canvas.height = 1;
const paint = canvas.getContext('2d', { willReadFrequently: true })!;

export type Rgba = [number, number, number, number];

/** Any CSS colour the browser computed (`rgb()`, `color(srgb …)`, `oklch()`…) as 0–255 RGB and 0–1 alpha. */
export function rgba(color: string): Rgba {
  paint.clearRect(0, 0, 1, 1);
  paint.fillStyle = '#00000000';
  paint.fillStyle = color;
  paint.fillRect(0, 0, 1, 1);
  const [r, g, b, a] = paint.getImageData(0, 0, 1, 1).data;
  return [r, g, b, a / 255];
}

/** `top` drawn over an opaque `bottom`. */
function over(top: Rgba, bottom: Rgba): Rgba {
  const a = top[3];
  return [top[0] * a + bottom[0] * (1 - a), top[1] * a + bottom[1] * (1 - a), top[2] * a + bottom[2] * (1 - a), 1];
}

function luminance([r, g, b]: Rgba): number {
  const channel = (v: number) => {
    const s = v / 255;
    return s <= 0.04045 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
}

/** WCAG 2 contrast ratio of two opaque colours. */
export function contrast(a: Rgba, b: Rgba): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

/** The parent in the flat tree: across a shadow root to its host. */
function parentOf(node: Element): Element | null {
  if (node.parentElement) return node.parentElement;
  const root = node.getRootNode();
  return root instanceof ShadowRoot ? root.host : null;
}

/** The opaque colour behind an element: its own and its ancestors' backgrounds, composed over the page's white. */
export function backgroundOf(element: Element): Rgba {
  const layers: Rgba[] = [];
  for (let node: Element | null = element; node; node = parentOf(node)) {
    const color = rgba(getComputedStyle(node).backgroundColor);
    if (color[3] > 0) layers.push(color);
    if (color[3] === 1) break;
  }
  return layers.reduceRight<Rgba>((below, layer) => over(layer, below), [255, 255, 255, 1]);
}

/** Opacity an element is painted with (its own times its ancestors'). */
function opacityOf(element: Element): number {
  let opacity = 1;
  for (let node: Element | null = element; node; node = parentOf(node)) opacity *= Number(getComputedStyle(node).opacity);
  return opacity;
}

export interface ContrastFinding {
  what: string;
  ratio: number;
  required: number;
}

function describeNode(element: Element): string {
  const part = element.getAttribute('part');
  const cls = element.getAttribute('class');
  return `<${element.localName}${part ? ` part="${part}"` : ''}${cls ? ` class="${cls}"` : ''}> “${(element.textContent ?? '').trim().slice(0, 40)}”`;
}

/** Every element in a shadow root (and in the shadow roots inside it). */
function allElements(root: ShadowRoot): Element[] {
  return [...root.querySelectorAll('*')];
}

/**
 * Contrast of every visible piece of text in the element's shadow root (text directly inside an element, so every
 * button, badge, name, hint, heading, message and the confirmation dialog), the search box's placeholder, and the
 * search box's border (non-text contrast, 3:1). Disabled controls are exempt (WCAG 1.4.3), as is the visually hidden
 * live region. Returns what was measured, so a caller can assert both "all pass" and "something was measured".
 */
export function measureContrast(el: VaultConnect): { measured: ContrastFinding[]; failures: ContrastFinding[] } {
  const measured: ContrastFinding[] = [];
  for (const element of textElements(el)) {
    const style = getComputedStyle(element);
    const background = backgroundOf(element);
    const foreground = rgba(style.color);
    foreground[3] *= opacityOf(element);
    const size = parseFloat(style.fontSize);
    const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
    measured.push({ what: describeNode(element), ratio: contrast(over(foreground, background), background), required: large ? 3 : 4.5 });
  }
  const search = shadow(el).querySelector<HTMLInputElement>('input[type="search"]');
  if (search?.checkVisibility()) {
    const background = backgroundOf(search);
    const placeholder = rgba(getComputedStyle(search, '::placeholder').color);
    measured.push({ what: 'the search placeholder', ratio: contrast(over(placeholder, background), background), required: 4.5 });
    const border = rgba(getComputedStyle(search).borderTopColor);
    const outside = backgroundOf(parentOf(search)!);
    measured.push({ what: 'the search box border (non-text)', ratio: contrast(over(border, outside), outside), required: 3 });
  }
  return { measured, failures: measured.filter((f) => f.ratio < f.required) };
}

// ---------------------------------------------------------------------------------------------------------------------
// axe

interface AxeNode {
  target: unknown[];
  html: string;
  any: { message: string }[];
}
interface AxeResult {
  id: string;
  nodes: AxeNode[];
}
interface AxeResults {
  violations: AxeResult[];
  passes: AxeResult[];
  incomplete: AxeResult[];
}
declare global {
  interface Window {
    axe?: {
      run(context: Element, options: object): Promise<AxeResults>;
      setup(context: Element): void;
      teardown(): void;
      commons: { text: { accessibleText(element: Element): string } };
    };
  }
}

/** Elements with visible text of their own that WCAG 1.4.3 covers (disabled controls and the hidden live region are exempt). */
function textElements(el: VaultConnect): Element[] {
  return allElements(shadow(el)).filter(
    (e) =>
      [...e.childNodes].some((n) => n.nodeType === Node.TEXT_NODE && (n.textContent ?? '').trim() !== '') &&
      e.checkVisibility({ visibilityProperty: true }) &&
      !e.closest('.visually-hidden, button:disabled'),
  );
}

/**
 * Runs axe-core on the element (every rule it runs by default, as `@open-wc/testing`'s `accessible()` does; axe
 * descends into open shadow roots) and fails on any violation. It also proves that the colour-contrast rule really
 * judged the text inside the shadow root (its nodes' targets are paths into it): every text element was judged, and
 * what it left "incomplete" is only one-letter monograms (too short for axe) and a tag line shown whole over the row
 * below (an overlay), which `measureContrast` computes.
 */
export async function expectAxeClean(el: VaultConnect, label: string): Promise<void> {
  if (!window.axe) throw new Error('axe-core did not load');
  const results = await window.axe.run(el, {});
  expect(
    results.violations.flatMap((v) => v.nodes.map((n) => `${v.id}: ${n.html} — ${n.any.map((a) => a.message).join('; ')}`)),
    `${label}: axe violations`,
  ).to.deep.equal([]);
  // A node inside a shadow root has a target path: [['vault-connect', 'selector inside']].
  const inShadow = (results: AxeResult[]) =>
    results.filter((r) => r.id === 'color-contrast').flatMap((r) => r.nodes.filter((n) => n.target.some((t) => Array.isArray(t) && t.length > 1)));
  const passed = inShadow(results.passes);
  const incomplete = inShadow(results.incomplete);
  // A tag line shown whole over the row below it (its row has focus or the pointer) is an overlay, whose background
  // axe cannot tell; `measureContrast` computes it.
  const overlay = (n: AxeNode) => /class="tag-line"/.test(n.html) && n.any.some((a) => /overlaps other elements/.test(a.message));
  expect(
    incomplete.filter((n) => !/class="monogram"/.test(n.html) && !overlay(n)).map((n) => `${n.html}: ${n.any.map((a) => a.message).join('; ')}`),
    `${label}: text axe could not judge`,
  ).to.deep.equal([]);
  // Every text element (but the monograms) is among the nodes axe judged: nothing in the shadow root was skipped.
  const judged = new Set(
    [...passed, ...incomplete].map((n) => {
      const path = n.target.find((t): t is string[] => Array.isArray(t))!;
      return shadow(el).querySelector(path[path.length - 1]);
    }),
  );
  const skipped = textElements(el).filter((e) => !judged.has(e) && !e.matches('.monogram'));
  expect(skipped.map(describeNode), `${label}: text that axe's color-contrast did not judge`).to.deep.equal([]);
}

/**
 * axe (`expectAxeClean`) plus the explicit contrast computation (`measureContrast`), in `theme="light"` and
 * `theme="dark"`. Restores the element's theme attribute afterwards.
 */
export async function expectAccessibleInBothThemes(el: VaultConnect, label: string): Promise<void> {
  const before = el.getAttribute('theme');
  try {
    for (const theme of ['light', 'dark'] as const) {
      el.setAttribute('theme', theme);
      await el.updateComplete;
      // The theme is really applied: a light or a dark surface.
      expect(luminance(backgroundOf(el)) > 0.5, `${label} (${theme}): a ${theme} background`).to.equal(theme === 'light');
      await expectAxeClean(el, `${label} (${theme})`);
      const { failures } = measureContrast(el);
      expect(
        failures.map((f) => `${f.what}: ${f.ratio.toFixed(2)} < ${f.required}`),
        `${label} (${theme}): contrast below WCAG AA`,
      ).to.deep.equal([]);
    }
  } finally {
    if (before === null) el.removeAttribute('theme');
    else el.setAttribute('theme', before);
    await el.updateComplete;
  }
}

/** The accessible name axe computes for an element (the accessible-name algorithm, shadow DOM included). */
export function accessibleName(element: Element): string {
  const axe = window.axe!;
  axe.setup(element.getRootNode() instanceof ShadowRoot ? (element.getRootNode() as ShadowRoot).host : element);
  try {
    return axe.commons.text.accessibleText(element);
  } finally {
    axe.teardown();
  }
}

// ---------------------------------------------------------------------------------------------------------------------
// Keyboard

/** The element that has focus, through shadow roots. */
export function deepActive(): Element | null {
  let active = document.activeElement;
  while (active?.shadowRoot?.activeElement) active = active.shadowRoot.activeElement;
  return active;
}

export async function tab(): Promise<void> {
  await sendKeys({ press: 'Tab' });
}

export async function shiftTab(): Promise<void> {
  await sendKeys({ down: 'Shift' });
  await sendKeys({ press: 'Tab' });
  await sendKeys({ up: 'Shift' });
}

/** Presses Tab until `predicate` holds for the focused element (at most `limit` times); returns the presses used. */
export async function tabTo(predicate: (active: Element | null) => boolean, what: string, limit = 60): Promise<number> {
  for (let presses = 1; presses <= limit; presses++) {
    await tab();
    if (predicate(deepActive())) return presses;
  }
  throw new Error(`Tab never reached ${what} (now on ${describeActive()})`);
}

/** Starts keyboard navigation from the top of the page: focus on nothing, as after a page load. */
export function focusNothing(): void {
  (document.activeElement as HTMLElement | null)?.blur();
  const active = deepActive() as HTMLElement | null;
  active?.blur();
}

export function describeActive(): string {
  const active = deepActive() as HTMLElement | null;
  if (!active) return 'nothing';
  const row = active.closest<HTMLElement>('[part="connection"]')?.dataset.serviceId;
  return `${active.localName}${active.dataset.action ? `[${active.dataset.action}]` : ''}${row ? ` in ${row}` : ''} “${(active.textContent ?? '').trim().slice(0, 30)}”`;
}

/** The focused row button as `service/action`, or a description of whatever else has focus. */
export function focusedButton(): string {
  const active = deepActive() as HTMLElement | null;
  const row = active?.closest<HTMLElement>('[part="connection"]')?.dataset.serviceId;
  return row && active?.dataset.action ? `${row}/${active.dataset.action}` : describeActive();
}

// ---------------------------------------------------------------------------------------------------------------------
// A VaultRE flow up to the authorize page

export interface VaultreFlow {
  el: VaultConnect;
  events: EventLog;
  host: HostStub;
  opened: OpenSpy;
  popup: Window;
  state: string;
}

/**
 * Mounts with the VaultRE attributes (and `mount` options such as a forged token), stubs the host endpoint, starts the
 * authorization from the Connect button (`activate` presses it: a click by default) and waits until the stand-in popup
 * is on the authorize page. Clean up with `opened.restore()` and `removeFrames()`.
 */
export async function startVaultreFlow(
  options: Parameters<typeof stubHost>[0] & { activate?: (connect: HTMLButtonElement) => Promise<void> | void; list?: readonly unknown[] } = {},
): Promise<VaultreFlow> {
  const { opened } = await popupFrames(2);
  const route = options.list
    ? (call: FetchCall) => (call.url.origin === STUB_API && call.url.pathname === '/vault/connections' ? listResponse(options.list) : undefined)
    : undefined;
  const host = stubHost({ ...options, ...(route ? { route } : {}) });
  const { el, events } = await mountVaultre(options.list ? { token: forgedToken(), unifyBaseUrl: STUB_API } : {});
  if (options.list) await events.waitFor('vault-connect-ready');
  const connect = button(await settledRow(el), 'connect');
  await (options.activate ?? ((b) => b.click()))(connect);
  await until(() => opened.windows.length === 1, 'a popup opens');
  const popup = opened.windows[0];
  const authorize = await authorizeUrlOf(popup);
  return { el, events, host, opened, popup, state: authorize.searchParams.get('state') ?? '' };
}

/** Acts as VaultRE: the popup returns to the real callback page with `params` (and the flow's state). */
export function vaultreReturns(flow: VaultreFlow, params: Record<string, string>): void {
  returnTo(flow.popup, CALLBACK_URL, { ...params, state: flow.state });
}

export { fakeCode };

// ---------------------------------------------------------------------------------------------------------------------
// A small stateful Vault API behind the fetch stub

export interface FakeApi {
  /** The connections by `unified_api/service_id`; change them to change what the API answers. */
  readonly store: Map<string, Connection>;
  /** For `mountWithList({route})`. */
  readonly route: FetchRoute;
}

/**
 * `GET` the list or one connection, `PATCH {enabled}`, `DELETE` (the connection becomes `available`, as Apideck lists
 * it again; or answers 404 afterwards when `gone` names it). Unknown connections answer 404. With `hold`, `PATCH` and
 * `DELETE` wait for it.
 */
export function fakeApi(connections: readonly Connection[], options: { gone?: string; hold?: Promise<void> } = {}): FakeApi {
  const store = new Map(connections.map((c) => [`${c.unified_api}/${c.service_id}`, { ...c }]));
  const answer = (call: FetchCall): Response | undefined => {
    if (call.url.origin !== STUB_API) return undefined;
    if (call.url.pathname === '/vault/connections' && call.method === 'GET') return listResponse([...store.values()]);
    const match = /^\/vault\/connections\/([^/]+)\/([^/]+)$/.exec(call.url.pathname);
    const key = match ? `${match[1]}/${match[2]}` : '';
    const current = store.get(key);
    if (!current) return errorResponse(404, 'Not Found', 'NotFoundError', 'Unknown connection');
    if (call.method === 'PATCH') Object.assign(current, JSON.parse(call.body ?? '{}') as Partial<Connection>);
    if (call.method === 'DELETE') {
      if (options.gone === match?.[2]) store.delete(key);
      else Object.assign(current, { state: 'available', enabled: false });
      return new Response(null, { status: 204 });
    }
    return connectionResponse(current);
  };
  const route: FetchRoute = (call) =>
    options.hold && call.url.origin === STUB_API && call.method !== 'GET' ? options.hold.then(() => answer(call)) : answer(call);
  return { store, route };
}
