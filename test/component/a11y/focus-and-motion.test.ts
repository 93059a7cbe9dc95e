/**
 * What keyboard users see: a focus ring from `:focus-visible` on the search box, every kind of button (primary,
 * secondary, danger, the dialog's) in light and dark, at 3:1 against the background (WCAG 1.4.11) and backed by a
 * transparent outline that forced-colours mode paints; and no motion at all under `prefers-reduced-motion: reduce`
 * (emulated), in the list, while loading, with a busy row and with the dialog open.
 */
import { expect } from '@open-wc/testing';
import { emulateMedia, sendKeys } from '@web/test-runner-commands';
import type { VaultConnect } from '../../../src/index.ts';
import { backgroundOf, contrast, deepActive, describeActive, fakeApi, focusNothing, rgba, tab, type Rgba } from '../support/a11y-helpers.ts';
import {
  button,
  chooseAction,
  connection,
  dialog,
  forgedToken,
  gate,
  type Gate,
  mount,
  mountWithList,
  restoreFetch,
  row,
  shadow,
  STUB_API,
  stubFetch,
  until,
} from '../support/helpers.ts';

const LIST = [
  connection({ service_id: 'salesforce' }),
  connection({ service_id: 'hubspot', state: 'available' }),
];

let held: Gate | undefined;

afterEach(async () => {
  held?.open();
  held = undefined;
  restoreFetch();
  await emulateMedia({ reducedMotion: 'no-preference' });
});

/** The colours of a computed `box-shadow` list, in order. */
function shadowColours(boxShadow: string): Rgba[] {
  return (boxShadow.match(/(?:rgba?|color|oklch|oklab|lab|lch|hsla?)\([^)]*\)|#[0-9a-f]{3,8}\b/gi) ?? []).map(rgba);
}

/** Checks the ring on whatever has focus now; returns a description for the failure message. */
function expectRing(el: VaultConnect, theme: string): void {
  const focused = deepActive() as HTMLElement;
  const what = `${describeActive()} (${theme})`;
  expect(focused.matches(':focus-visible'), `${what} matches :focus-visible`).to.equal(true);
  const style = getComputedStyle(focused);
  expect(style.boxShadow, `${what}: a ring`).not.to.equal('none');
  // The outer ring against what is around the control.
  const colours = shadowColours(style.boxShadow);
  const ring = colours[colours.length - 1];
  const around = backgroundOf(focused.parentElement ?? el);
  expect(contrast(ring, around), `${what}: ring contrast`).to.be.at.least(3);
  // Forced-colours mode drops box-shadow; a transparent outline of real width is what it paints instead.
  expect(style.outlineStyle, `${what}: outline style`).to.equal('solid');
  expect(parseFloat(style.outlineWidth), `${what}: outline width`).to.be.at.least(1);
  // Without focus the ring is gone, so the ring is what shows focus.
  focused.blur();
  expect(getComputedStyle(focused).boxShadow, `${what}: no ring without focus`).to.equal('none');
  focused.focus();
}

describe('<vault-connect> focus ring', () => {
  for (const theme of ['light', 'dark'] as const) {
    it(`shows on the search box and on every kind of button (${theme})`, async () => {
      const api = fakeApi(LIST);
      const { el } = await mountWithList([], { route: api.route });
      el.setAttribute('theme', theme);
      await el.updateComplete;
      focusNothing();
      const seen = new Set<string>();
      // Every tab stop in the element: the search box, the filter, Salesforce's Settings and More, Hubspot's Connect
      // (not one more: Tab would leave the page for the browser's own controls, and the window its focus).
      for (let i = 0; i < 5; i++) {
        await tab();
        const active = deepActive() as HTMLElement;
        seen.add(active.localName === 'input' ? 'search' : active.className);
        expectRing(el, theme);
      }
      // Settings and More are outlined (no class), Connect filled.
      expect([...seen]).to.include.members(['search', 'chip', '', 'primary']);

      // The More menu's items, the destructive one included, then the dialog's buttons.
      button(row(el, 'salesforce'), 'more').focus();
      await sendKeys({ press: 'Enter' });
      await until(() => (deepActive() as HTMLElement).getAttribute('role') === 'menuitem', 'focus in the menu');
      expectRing(el, `${theme}, menu item`);
      await sendKeys({ press: 'End' });
      expect((deepActive() as HTMLElement).className).to.equal('menu-item danger');
      expectRing(el, `${theme}, menu item Disconnect`);
      await sendKeys({ press: 'Enter' });
      const d = await dialog(el);
      await until(() => d.open, 'the dialog opens');
      await until(() => deepActive() === d.querySelector('button'), 'focus on Cancel');
      expectRing(el, `${theme}, dialog Cancel`);
      await tab();
      expect((deepActive() as HTMLElement).dataset.confirm).to.equal('');
      expectRing(el, `${theme}, dialog Disconnect`);
      d.close();
    });
  }
});

/** Every running animation or transition in the shadow root, and every element whose styles would start one. */
function motion(el: VaultConnect): string[] {
  const found = shadow(el)
    .getAnimations()
    .map((a) => `running: ${a.constructor.name} on ${(a.effect as KeyframeEffect | null)?.target?.localName ?? '?'}`);
  const moving = (style: CSSStyleDeclaration) =>
    (style.animationName !== 'none' && style.animationName !== '' && parseFloat(style.animationDuration) > 0) ||
    style.transitionDuration.split(',').some((d) => parseFloat(d) > 0);
  for (const element of shadow(el).querySelectorAll('*')) {
    for (const pseudo of [null, '::before', '::after', ...(element.localName === 'dialog' ? ['::backdrop'] : [])]) {
      if (moving(getComputedStyle(element, pseudo))) found.push(`${element.localName}.${element.className}${pseudo ?? ''}`);
    }
  }
  return found;
}

describe('<vault-connect> under prefers-reduced-motion: reduce', () => {
  it('the detector sees motion when there is some (so the checks below can fail)', async () => {
    const { el } = await mountWithList(LIST);
    const sheet = new CSSStyleSheet();
    sheet.replaceSync('.row { transition: opacity 1s; } .row.moved { opacity: 0.5; }');
    const root = shadow(el);
    root.adoptedStyleSheets = [...root.adoptedStyleSheets, sheet];
    row(el, 'salesforce').classList.add('moved');
    expect(motion(el)).to.not.deep.equal([]);
    root.adoptedStyleSheets = root.adoptedStyleSheets.filter((s) => s !== sheet);
  });

  it('no animation or transition: loading, the list, a busy row, the dialog open', async () => {
    await emulateMedia({ reducedMotion: 'reduce' });
    expect(matchMedia('(prefers-reduced-motion: reduce)').matches, 'the emulation is on').to.equal(true);

    held = gate();
    const pending = held.promise;
    stubFetch((call) => (call.url.origin === STUB_API ? pending.then(() => undefined) : undefined));
    const { el: loading } = await mount({ token: forgedToken(), unifyBaseUrl: STUB_API });
    expect(shadow(loading).querySelector('.skeleton')).to.not.equal(null);
    expect(motion(loading), 'loading').to.deep.equal([]);
    held.open();
    restoreFetch();

    const hold = gate();
    held = hold;
    const api = fakeApi(LIST, { hold: hold.promise });
    const { el } = await mountWithList([], { route: api.route });
    expect(motion(el), 'the list').to.deep.equal([]);
    focusNothing();
    await tab();
    await tab();
    expect(motion(el), 'a focused button').to.deep.equal([]);
    await chooseAction(row(el, 'salesforce'), 'disable');
    await until(() => row(el, 'salesforce').getAttribute('aria-busy') === 'true', 'the row is busy');
    expect(motion(el), 'a busy row').to.deep.equal([]);
    hold.open();
    await until(() => row(el, 'salesforce').getAttribute('aria-busy') === 'false', 'the row is done');
    await chooseAction(row(el, 'salesforce'), 'disconnect');
    const d = await dialog(el);
    await until(() => d.open, 'the dialog opens');
    expect(motion(el), 'the dialog').to.deep.equal([]);
    d.close();
  });
});
