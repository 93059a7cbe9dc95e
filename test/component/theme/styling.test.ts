/**
 * Theming: `theme="light|dark|auto"` (auto following the page's `color-scheme`, and through it an emulated
 * `prefers-color-scheme`), custom properties set by the
 * host page, `::part()` on every documented part, and the documentation (`custom-elements.json`, generated from the
 * class JSDoc) matching what the styles declare and the templates render.
 */
import { expect } from '@open-wc/testing';
import { emulateMedia } from '@web/test-runner-commands';
import type { VaultConnect } from '../../../src/index.ts';
import { styles } from '../../../src/vault-connect.styles.ts';
import {
  chooseAction,
  connection,
  dialog,
  errorResponse,
  mountWithList,
  openMenu,
  restoreFetch,
  row,
  shadow,
  statePanel,
  until,
} from '../support/helpers.ts';

/** The computed colours a user sees, sampled across the element. */
interface Look {
  text: string;
  muted: string;
  background: string;
  border: string;
  primary: string;
  primaryText: string;
  danger: string;
  successBg: string;
  successFg: string;
  warningBg: string;
  neutralBg: string;
}

const LIST = [
  connection({ service_id: 'salesforce', state: 'callable', tag_line: 'CRM' }),
  connection({ service_id: 'pipedrive', state: 'available' }),
  connection({ service_id: 'hubspot', state: 'authorized' }),
];

function look(el: VaultConnect): Look {
  const root = shadow(el);
  const css = (selector: string) => {
    const found = root.querySelector(selector);
    if (!found) throw new Error(`nothing matches ${selector}`);
    return getComputedStyle(found);
  };
  const host = getComputedStyle(el);
  return {
    text: host.color,
    muted: css('[part="tag-line"]').color,
    background: host.backgroundColor,
    border: css('ul').borderTopColor,
    primary: css('button[data-action="connect"]').backgroundColor,
    primaryText: css('button[data-action="connect"]').color,
    danger: css('[role="menuitem"][data-action="disconnect"]').color,
    successBg: css('[part="badge"][data-status="connected"]').backgroundColor,
    successFg: css('[part="badge"][data-status="connected"]').color,
    warningBg: css('[part="badge"][data-status="input_required"]').backgroundColor,
    neutralBg: css('[part="badge"][data-status="not_connected"]').backgroundColor,
  };
}

/** The list, with Salesforce's More menu open (its Disconnect item is the danger colour). */
async function mountStyled(): Promise<VaultConnect> {
  const { el } = await mountWithList(LIST);
  await openMenu(row(el, 'salesforce'));
  return el;
}

/** Relative luminance (WCAG) of a computed `rgb(…)` colour. */
function luminance(colour: string): number {
  const channels = /rgba?\((\d+), (\d+), (\d+)/.exec(colour);
  if (!channels) throw new Error(`not an rgb() colour: ${colour}`);
  const [r, g, b] = channels.slice(1, 4).map((value) => {
    const c = Number(value) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

async function setTheme(el: VaultConnect, theme: string | null): Promise<void> {
  if (theme === null) el.removeAttribute('theme');
  else el.setAttribute('theme', theme);
  await el.updateComplete;
}

/** The light and the dark look of this element, taken with explicit themes. */
async function references(el: VaultConnect): Promise<{ light: Look; dark: Look }> {
  const before = el.getAttribute('theme');
  await setTheme(el, 'light');
  const light = look(el);
  await setTheme(el, 'dark');
  const dark = look(el);
  await setTheme(el, before);
  return { light, dark };
}

/** A stylesheet on the host page, removed after the test. */
const pageStyles: HTMLStyleElement[] = [];
function pageStyle(text: string): void {
  const style = document.createElement('style');
  style.textContent = text;
  document.head.append(style);
  pageStyles.push(style);
}

afterEach(async () => {
  restoreFetch();
  for (const style of pageStyles.splice(0)) style.remove();
  await emulateMedia({ colorScheme: 'light' });
});

describe('<vault-connect> theme', () => {
  it('light and dark differ in every themed colour, and each reads as its theme', async () => {
    const el = await mountStyled();
    const { light, dark } = await references(el);
    await setTheme(el, 'light');
    expect(getComputedStyle(el).colorScheme).to.equal('light');
    await setTheme(el, 'dark');
    expect(getComputedStyle(el).colorScheme).to.equal('dark');
    for (const key of Object.keys(light) as (keyof Look)[]) {
      expect(light[key], `${key} in light vs dark`).to.not.equal(dark[key]);
    }
    expect(luminance(light.background)).to.be.greaterThan(0.8);
    expect(luminance(dark.background)).to.be.lessThan(0.05);
    expect(luminance(light.text)).to.be.lessThan(luminance(light.background));
    expect(luminance(dark.text)).to.be.greaterThan(luminance(dark.background));
  });

  it('auto (the default) on a page that declares no color-scheme is light, even in a dark browser', async () => {
    const el = await mountStyled();
    const { light } = await references(el);
    expect(el.theme).to.equal('auto');
    expect(el.getAttribute('theme')).to.equal('auto');
    await emulateMedia({ colorScheme: 'dark' });
    expect(look(el)).to.deep.equal(light);
    expect(luminance(getComputedStyle(el).backgroundColor)).to.be.greaterThan(0.8);
    // With no attribute at all (removed by the host page), too.
    await setTheme(el, null);
    expect(look(el)).to.deep.equal(light);
  });

  it('auto follows the page: `light dark` follows the browser, live; `dark` is dark', async () => {
    const el = await mountStyled();
    const { light, dark } = await references(el);
    pageStyle(':root { color-scheme: light dark; }');
    await emulateMedia({ colorScheme: 'dark' });
    expect(look(el)).to.deep.equal(dark);
    await emulateMedia({ colorScheme: 'light' });
    expect(look(el)).to.deep.equal(light);

    // The nearest ancestor's color-scheme counts: a dark panel on a light page.
    const panel = document.createElement('div');
    panel.style.colorScheme = 'dark';
    document.body.append(panel);
    try {
      panel.append(el);
      await el.updateComplete;
      expect(look(el)).to.deep.equal(dark);
    } finally {
      el.remove();
      panel.remove();
    }
  });

  it('auto follows a page that declares `light dark` with <meta name="color-scheme">', async () => {
    const meta = document.createElement('meta');
    meta.name = 'color-scheme';
    meta.content = 'light dark';
    document.head.append(meta);
    try {
      const el = await mountStyled();
      const { light, dark } = await references(el);
      await emulateMedia({ colorScheme: 'dark' });
      expect(look(el)).to.deep.equal(dark);
      await emulateMedia({ colorScheme: 'light' });
      expect(look(el)).to.deep.equal(light);
    } finally {
      meta.remove();
    }
  });

  it('an explicit theme wins over the system preference; the property reflects', async () => {
    const el = await mountStyled();
    const { light, dark } = await references(el);
    await emulateMedia({ colorScheme: 'dark' });
    el.theme = 'light';
    await el.updateComplete;
    expect(el.getAttribute('theme')).to.equal('light');
    expect(look(el)).to.deep.equal(light);

    await emulateMedia({ colorScheme: 'light' });
    el.theme = 'dark';
    await el.updateComplete;
    expect(el.getAttribute('theme')).to.equal('dark');
    expect(look(el)).to.deep.equal(dark);
  });

  it('any other theme value (malformed, hostile) behaves as auto', async () => {
    // A page that follows the browser, so that auto looks like the preference and a value near the other theme shows.
    pageStyle(':root { color-scheme: light dark; }');
    const el = await mountStyled();
    const { light, dark } = await references(el);
    // Under each preference, values close to the other theme must not switch to it.
    const near = (other: string) => ['', 'neon', other.toUpperCase(), `${other} `, ` ${other}`, `${other} light dark`,
      `${other}'] :host { color: red }`, '<img src=x onerror=alert(1)>', 'auto'];
    for (const [preference, expected, other] of [['light', light, 'dark'], ['dark', dark, 'light']] as const) {
      await emulateMedia({ colorScheme: preference });
      for (const value of near(other)) {
        await setTheme(el, value);
        expect(el.getAttribute('theme')).to.equal(value);
        expect(look(el), `theme="${value}" under ${preference}`).to.deep.equal(expected);
      }
    }
  });
});

describe('<vault-connect> custom properties and parts', () => {
  it('custom properties set on the element override the defaults, in both themes', async () => {
    pageStyle(`
      vault-connect.brand {
        --vc-color-primary: rgb(15, 118, 110);
        --vc-color-primary-text: rgb(255, 255, 255);
        --vc-color-success-bg: light-dark(rgb(1, 2, 3), rgb(4, 5, 6));
        --vc-radius: 3px;
        --vc-spacing: 10px;
        --vc-font-family: Georgia, serif;
        --vc-font-size: 15px;
        --vc-focus-ring: 0 0 0 3px rgb(255, 0, 0);
      }
    `);
    const el = await mountStyled();
    const before = look(el);
    el.classList.add('brand');
    // An inline style on the element works too.
    el.style.setProperty('--vc-color-text', 'rgb(9, 9, 9)');
    for (const theme of ['light', 'dark']) {
      await setTheme(el, theme);
      const now = look(el);
      expect(now.primary, theme).to.equal('rgb(15, 118, 110)');
      expect(now.primaryText, theme).to.equal('rgb(255, 255, 255)');
      expect(now.successBg, theme).to.equal(theme === 'light' ? 'rgb(1, 2, 3)' : 'rgb(4, 5, 6)');
      expect(now.text, theme).to.equal('rgb(9, 9, 9)');
      const root = shadow(el);
      expect(getComputedStyle(root.querySelector('ul')!).borderTopLeftRadius).to.equal('3px');
      expect(getComputedStyle(row(el, 'salesforce')).paddingTop).to.equal('10px');
      expect(getComputedStyle(el).fontFamily).to.equal('Georgia, serif');
      expect(getComputedStyle(el).fontSize).to.equal('15px');
    }
    const search = shadow(el).querySelector<HTMLInputElement>('input[part="search"]')!;
    search.focus();
    expect(getComputedStyle(search).boxShadow).to.contain('rgb(255, 0, 0)');
    search.blur();
    // Without the class and the inline value, the defaults come back (the menu closed as focus left it).
    el.classList.remove('brand');
    el.style.removeProperty('--vc-color-text');
    await setTheme(el, 'auto');
    await openMenu(row(el, 'salesforce'));
    expect(look(el)).to.deep.equal(before);
  });

  it('custom properties set on :root or any ancestor reach the element; one set on the element wins', async () => {
    pageStyle(`
      :root { --vc-color-primary: rgb(15, 118, 110); --vc-radius: 3px; }
      .settings { --vc-color-text: light-dark(rgb(1, 2, 3), rgb(4, 5, 6)); --vc-spacing: 10px; }
    `);
    const wrapper = document.createElement('div');
    wrapper.className = 'settings';
    document.body.append(wrapper);
    try {
      const { el } = await mountWithList(LIST);
      wrapper.append(el);
      await openMenu(row(el, 'salesforce'));
      for (const theme of ['light', 'dark']) {
        await setTheme(el, theme);
        const now = look(el);
        expect(now.primary, theme).to.equal('rgb(15, 118, 110)');
        expect(now.text, theme).to.equal(theme === 'light' ? 'rgb(1, 2, 3)' : 'rgb(4, 5, 6)');
        expect(getComputedStyle(shadow(el).querySelector('ul')!).borderTopLeftRadius).to.equal('3px');
        expect(getComputedStyle(row(el, 'salesforce')).paddingTop).to.equal('10px');
      }
      // The focus ring's default follows the inherited primary colour.
      const search = shadow(el).querySelector<HTMLInputElement>('input[part="search"]')!;
      search.focus();
      expect(getComputedStyle(search).boxShadow).to.contain('rgb(15, 118, 110)');
      search.blur();
      // Closer wins: a value on the element beats the inherited ones.
      el.style.setProperty('--vc-color-primary', 'rgb(200, 0, 0)');
      expect(look(el).primary).to.equal('rgb(200, 0, 0)');
      el.remove();
    } finally {
      wrapper.remove();
    }
  });

  it('every documented part can be styled with ::part(), the dialog and its buttons included', async () => {
    const manifest = (await (await fetch('/custom-elements.json')).json()) as ManifestJson;
    const documented = documentedOf(manifest, 'cssParts');
    expect(documented.length).to.be.greaterThan(10);
    // A distinct, otherwise unused property value per part: 1px, 2px, …
    pageStyle(documented.map((name, i) => `vault-connect::part(${name}) { scroll-margin-top: ${i + 1}px; }`).join('\n'));
    pageStyle('vault-connect::part(button-cancel) { scroll-margin-bottom: 7px; } vault-connect::part(button-confirm) { scroll-margin-bottom: 9px; }');

    // One element in the states that show every part: a list (rows, tag lines, badges, buttons), a failed action
    // (row-error), the disconnect dialog; and one with an empty list (the state panel).
    const { el, events } = await mountWithList(LIST, {
      route: (call) => (call.method === 'PATCH' ? errorResponse(422, 'Unprocessable Entity', 'InvalidStateError', 'Nope') : undefined),
      // A sandbox session, for the "Sandbox" marker.
      claims: { settings: { sandbox_mode: true } },
    });
    await chooseAction(row(el, 'salesforce'), 'disable');
    await events.waitFor('vault-connect-error');
    await el.updateComplete;
    await chooseAction(row(el, 'hubspot'), 'disconnect');
    const confirm = await dialog(el);
    const { el: empty } = await mountWithList([]);
    expect(statePanel(empty)).to.not.equal(null);
    // A third with a row's More menu open (the menu and its items).
    const { el: withMenu } = await mountWithList(LIST);
    await openMenu(row(withMenu, 'salesforce'));

    const seen = new Set<string>();
    for (const host of [el, empty, withMenu]) {
      for (const node of shadow(host).querySelectorAll<HTMLElement>('[part]')) {
        const parts = [...node.part];
        for (const name of parts) {
          const index = documented.indexOf(name);
          if (index === -1) {
            // Only the documented `button-<action>` (and the dialog's) variants of a button or a menu item may be
            // undocumented names.
            expect(name, `undocumented part on ${node.outerHTML.slice(0, 80)}`).to.match(/^button-[a-z]+$/);
            expect(parts.includes('button') || parts.includes('menu-item'), parts.join(' ')).to.be.true;
            continue;
          }
          seen.add(name);
          expect(getComputedStyle(node).scrollMarginTop, `::part(${name})`).to.equal(`${index + 1}px`);
        }
      }
    }
    expect([...seen].sort(), 'every documented part is rendered in these states').to.deep.equal([...documented].sort());

    const cancel = confirm.querySelector<HTMLButtonElement>('button[value="cancel"]')!;
    const ok = confirm.querySelector<HTMLButtonElement>('button[value="confirm"]')!;
    expect(getComputedStyle(cancel).scrollMarginBottom).to.equal('7px');
    expect(getComputedStyle(ok).scrollMarginBottom).to.equal('9px');
    cancel.click();
    await until(() => !confirm.isConnected, 'the dialog closes');
  });

  it('the documentation lists exactly the custom properties the styles declare', async () => {
    const manifest = (await (await fetch('/custom-elements.json')).json()) as ManifestJson;
    const documented = documentedOf(manifest, 'cssProperties');
    // Each public property is read once, on :host, as the first argument of a var() with the default as its fallback.
    const declared = [...new Set([...styles.cssText.matchAll(/var\((--vc-[a-z0-9-]+)\s*,/g)].map((m) => m[1]))];
    expect(declared.length).to.be.greaterThan(15);
    expect([...documented].sort()).to.deep.equal([...declared].sort());
    // Colours, radius, spacing, font, focus ring and badge colours are all among them.
    for (const name of ['--vc-color-primary', '--vc-radius', '--vc-spacing', '--vc-font-family', '--vc-focus-ring', '--vc-color-success-bg']) {
      expect(documented).to.include(name);
    }
  });
});

interface ManifestJson {
  modules: { declarations?: { tagName?: string; cssParts?: { name: string }[]; cssProperties?: { name: string }[] }[] }[];
}

function documentedOf(manifest: ManifestJson, key: 'cssParts' | 'cssProperties'): string[] {
  const declaration = manifest.modules.flatMap((m) => m.declarations ?? []).find((d) => d.tagName === 'vault-connect');
  if (!declaration) throw new Error('custom-elements.json has no vault-connect');
  return (declaration[key] ?? []).map((entry) => entry.name);
}
