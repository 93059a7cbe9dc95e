/**
 * `<vault-connect>` in each locale: the rendered buttons, badges, titles, states, errors, dialogs and announcements;
 * switching at runtime; the `strings` override; unknown locales; dates through `Intl`; the locale handed to the modal.
 *
 * An error that comes before the locale's strings: the list request fails at once (in a microtask), while the Dutch
 * strings are still a chunk on its way. The event's message must be the Dutch sentence the panel shows, not English.
 */
import { expect, fixture, html } from '@open-wc/testing';
import { LOCALES, type Locale } from '../../../src/internal/api/vocabulary.ts';
import de from '../../../src/i18n/de.ts';
import { en, type Strings } from '../../../src/i18n/en.ts';
import es from '../../../src/i18n/es.ts';
import fr from '../../../src/i18n/fr.ts';
import nl from '../../../src/i18n/nl.ts';
import vaultreDe from '../../../src/i18n/vaultre-de.ts';
import { vaultreEn, type VaultreStrings } from '../../../src/i18n/vaultre-en.ts';
import vaultreEs from '../../../src/i18n/vaultre-es.ts';
import vaultreFr from '../../../src/i18n/vaultre-fr.ts';
import vaultreNl from '../../../src/i18n/vaultre-nl.ts';
import type { VaultConnect } from '../../../src/index.ts';
import {
  actionsOf,
  announcement,
  badge,
  button,
  chooseAction,
  connection,
  connectionResponse,
  dialog,
  errorResponse,
  FakeVaultModal,
  filterBar,
  filterOption,
  forgedToken,
  gate,
  listResponse,
  menuItem,
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
import { AUTHORIZE_BASE, CALLBACK_URL, CLIENT_ID, EXCHANGE_PATH, answerDialog, stubHost } from '../support/vaultre-helpers.ts';

const TABLES: Record<Locale, Strings> = { en, nl, de, fr, es };
const VAULTRE: Record<Locale, VaultreStrings> = { en: vaultreEn, nl: vaultreNl, de: vaultreDe, fr: vaultreFr, es: vaultreEs };

/** One row per interesting status, in two unified APIs (English titles `accounting` from its id). */
const LIST = [
  connection({ service_id: 'salesforce', name: 'Salesforce' }),
  connection({ service_id: 'hubspot', name: 'HubSpot', state: 'available' }),
  connection({ service_id: 'pipedrive', name: 'Pipedrive', integration_state: 'needs_configuration', state: 'available' }),
  connection({ service_id: 'zoho', name: 'Zoho', enabled: false }),
  connection({ service_id: 'xero', name: 'Xero', unified_api: 'accounting', state: 'added' }),
  connection({ service_id: 'exact', name: 'Exact Online', unified_api: 'accounting', state: 'invalid' }),
];

/** A text as the `text()` helper reads it (white space, no-break spaces included, collapsed). */
function flat(value: string): string {
  return value.replace(/\s+/g, ' ').trim();
}

function search(el: VaultConnect): HTMLInputElement {
  const input = shadow(el).querySelector<HTMLInputElement>('input[type="search"]');
  if (!input) throw new Error('no search box');
  return input;
}

function groupTitle(el: VaultConnect, unifiedApi: string): string {
  return text(shadow(el).querySelector(`[part="group"][data-unified-api="${unifiedApi}"] [part="group-title"]`));
}

/** Asserts that every string the list shows is the table's. */
function expectList(el: VaultConnect, t: Strings): void {
  expect(search(el).getAttribute('aria-label')).to.equal(t.searchLabel);
  expect(search(el).placeholder).to.equal(t.searchPlaceholder);
  expect(groupTitle(el, 'crm')).to.equal(t.unifiedApi.crm);
  expect(groupTitle(el, 'accounting')).to.equal(t.unifiedApi.accounting ?? 'Accounting');
  expect(rows(el)).to.have.length(LIST.length);
  for (const item of rows(el)) {
    const name = text(item.querySelector('[part="name"]'));
    const status = badge(item).dataset.status as keyof Strings['status'];
    expect(text(badge(item)), `${name} badge`).to.equal(t.status[status]);
    for (const action of actionsOf(item)) {
      const found = button(item, action);
      if (action === 'more') {
        expect(found.getAttribute('aria-label'), `${name} more label`).to.equal(t.moreLabel(name));
        continue;
      }
      const label = t.action[action as keyof Strings['action']];
      expect(text(found), `${name} ${action}`).to.equal(label);
      expect(found.getAttribute('aria-label'), `${name} ${action} label`).to.equal(t.actionLabel(label, name));
    }
  }
  expect(text(row(el, 'pipedrive').querySelector('.hint'))).to.equal(t.needsConfigurationHint);
  expect(filterBar(el)?.getAttribute('aria-label')).to.equal(t.filterLabel);
  for (const group of ['all', 'connected', 'attention', 'not_connected'] as const) {
    expect(text(filterOption(el, group))).to.match(new RegExp(`^${t.filter[group]} \\d+$`));
  }
}

/** The PATCH a disable sends, answered with the connection disabled. */
function answerPatch(call: { method: string; url: URL; body: string | undefined }): Response | undefined {
  if (call.url.origin !== STUB_API || call.method !== 'PATCH') return undefined;
  const serviceId = call.url.pathname.split('/').at(-1) ?? '';
  const original = LIST.find((c) => c.service_id === serviceId);
  return connectionResponse({ ...original, ...(JSON.parse(call.body ?? '{}') as object) });
}

afterEach(() => {
  restoreFetch();
  document.documentElement.lang = 'en';
});

// First in the file: in a page where another test has loaded the Dutch chunk already, the race cannot happen.
describe('<vault-connect> with an error before the locale has loaded', () => {
  it('fires its event in the locale, with the sentence the panel shows', async () => {
    const calls: string[] = [];
    stubFetch((call) => {
      if (call.url.origin !== STUB_API) return undefined;
      calls.push(call.url.pathname);
      throw new TypeError('Failed to fetch');
    });
    const { el, events } = await mount({ token: forgedToken(), unifyBaseUrl: STUB_API, locale: 'nl' });
    await events.waitFor('vault-connect-error');
    expect(calls).to.deep.equal(['/vault/connections']);
    expect(nl.errors.network_error).to.not.equal(en.errors.network_error);
    expect(events.errors).to.have.length(1);
    expect(events.errors[0]?.code).to.equal('network_error');
    expect(events.errors[0]?.message).to.equal(nl.errors.network_error);
    await el.updateComplete;
    expect(text(statePanel(el)?.querySelector('p'))).to.equal(nl.errors.network_error);
  });
});

describe('<vault-connect> in each locale', () => {
  for (const locale of LOCALES) {
    const t = TABLES[locale];

    it(`${locale}: the list, its buttons, badges, titles and hints`, async () => {
      const { el } = await mountWithList(LIST, { locale });
      expectList(el, t);
      if (locale !== 'en') expect(text(button(row(el, 'hubspot'), 'connect'))).to.not.equal(en.action.connect);
    });

    it(`${locale}: the error panel, its retry and the error event`, async () => {
      // The reply waits for the first render: an error event's message is in the locale once its strings are in.
      const held = gate();
      stubFetch((call) =>
        call.url.origin === STUB_API ? held.promise.then(() => errorResponse(500, 'Server Error', 'ServerError', 'Upstream down')) : undefined,
      );
      const { el, events } = await mount({ token: forgedToken(), unifyBaseUrl: STUB_API, locale });
      held.open();
      await events.waitFor('vault-connect-error');
      await el.updateComplete;
      const panel = statePanel(el);
      const message = `${t.errors.api_error} Upstream down (500)`;
      expect(text(panel?.querySelector('strong'))).to.equal(flat(t.errorTitle));
      expect(text(panel?.querySelector('p'))).to.equal(flat(message));
      expect(text(panel?.querySelector('button[data-action="retry"]'))).to.equal(t.action.retry);
      expect(events.errors.at(-1)?.message).to.equal(message);
    });

    it(`${locale}: the empty list, and a search that matches nothing`, async () => {
      const { el } = await mountWithList([], { locale });
      expect(text(statePanel(el))).to.equal(t.empty);

      const { el: full } = await mountWithList(LIST, { locale });
      search(full).value = 'zzz <b>';
      search(full).dispatchEvent(new Event('input'));
      await full.updateComplete;
      expect(text(statePanel(full))).to.equal(flat(t.noMatches('zzz <b>')));
    });
  }

  it('the loading state, before the first list, is in the locale', async () => {
    const held = gate();
    stubFetch((call) => (call.url.origin === STUB_API ? held.promise.then(() => listResponse(LIST)) : undefined));
    const { el, events } = await mount({ token: forgedToken(), unifyBaseUrl: STUB_API, locale: 'es' });
    expect(shadow(el).querySelector('ul[aria-busy="true"]')?.getAttribute('aria-label')).to.equal(es.loading);
    expect(search(el).placeholder).to.equal(es.searchPlaceholder);
    held.open();
    await events.waitFor('vault-connect-ready');
    expectList(el, es);
  });

  it('the first render is already in the locale: no flash of English', async () => {
    const seen: string[] = [];
    const el = document.createElement('vault-connect');
    el.setAttribute('locale', 'de');
    el.token = forgedToken();
    el.setAttribute('unify-base-url', STUB_API);
    stubFetch((call) => (call.url.origin === STUB_API ? listResponse(LIST) : undefined));
    // What the first update drew, read the moment it was drawn.
    (el as unknown as { firstUpdated: () => void }).firstUpdated = () => {
      const root = el.shadowRoot!;
      seen.push(text(root as unknown as Element), ...[...root.querySelectorAll('[aria-label],[placeholder]')].map((e) => `${e.getAttribute('aria-label')}|${e.getAttribute('placeholder')}`));
    };
    await fixture(html`${el}`);
    expect(seen.length).to.be.greaterThan(0);
    expect(seen.join(' ')).to.include(de.searchPlaceholder);
    for (const english of [en.searchLabel, en.searchPlaceholder, en.loading, en.waitingForSession, en.action.connect]) {
      expect(seen.join(' ')).to.not.include(english);
    }
  });

  it('announces, shows progress and confirms in the locale', async () => {
    const held = gate();
    const { el } = await mountWithList(LIST, {
      locale: 'nl',
      route: (call) => (call.method === 'PATCH' ? held.promise.then(() => answerPatch(call)) : undefined),
    });
    await chooseAction(row(el, 'salesforce'), 'disable');
    await until(() => text(row(el, 'salesforce').querySelector('.progress')) === nl.progress.disable, 'Dutch progress');
    held.open();
    await until(() => announcement(el) === nl.announce.disabled('Salesforce'), 'the Dutch announcement');
    expect(text(badge(row(el, 'salesforce')))).to.equal(nl.status.disabled);

    await chooseAction(row(el, 'zoho'), 'disconnect');
    const confirm = await dialog(el);
    expect(text(confirm.querySelector('h2'))).to.equal(nl.confirmDisconnectTitle('Zoho'));
    expect(text(confirm.querySelector('p'))).to.equal(nl.confirmDisconnectBody);
    expect(text(confirm.querySelector('button[value="confirm"]'))).to.equal(nl.confirmDisconnect);
    expect(text(confirm.querySelector('button[value="cancel"]'))).to.equal(nl.cancel);
    await answerDialog(confirm, 'cancel');
  });

  it('switches language at runtime, and back, keeping the list', async () => {
    const { el, events, stub } = await mountWithList(LIST);
    expectList(el, en);
    for (const locale of ['de', 'fr', 'en', 'es', 'nl', 'en'] as const) {
      el.locale = locale;
      await el.updateComplete;
      expectList(el, TABLES[locale]);
    }
    // Several switches before one update: the last one wins.
    el.locale = 'fr';
    el.locale = 'de';
    el.setAttribute('locale', 'es');
    await el.updateComplete;
    expectList(el, es);
    expect(stub.count('GET', '/vault/connections'), 'the list is not fetched again').to.equal(1);
    expect(events.ready).to.have.length(1);
  });

  it("a row's error text follows a change of locale", async () => {
    const { el } = await mountWithList(LIST, {
      route: (call) => (call.method === 'PATCH' ? errorResponse(500, 'Server Error', 'ServerError', 'Upstream down') : undefined),
    });
    await chooseAction(row(el, 'salesforce'), 'disable');
    await until(() => row(el, 'salesforce').querySelector('[part="row-error"]') !== null, 'the row error');
    const message = () => text(row(el, 'salesforce').querySelector('[part="row-error"]'));
    expect(message()).to.contain(en.errors.api_error).and.contain('Upstream down');
    el.locale = 'nl';
    await el.updateComplete;
    expect(message()).to.contain(nl.errors.api_error).and.contain('Upstream down');
    el.locale = 'en';
    await el.updateComplete;
    expect(message()).to.contain(en.errors.api_error);
  });

  it('an unknown locale is English; a region picks its language', async () => {
    for (const [locale, expected] of [
      ['xx', en],
      ['', en],
      ['__proto__', en],
      ['constructor', en],
      ['fr-CA', fr],
      ['de_AT', de],
      ['NL', nl],
      ['en-GB', en],
    ] as const) {
      const { el } = await mountWithList(LIST, { locale });
      expectList(el, expected);
      el.remove();
    }
  });
});

describe('<vault-connect> with strings overridden', () => {
  it('overrides any string, over the locale, and re-renders when set', async () => {
    const { el } = await mountWithList(LIST, { locale: 'de' });
    el.strings = {
      action: { connect: 'Verknüpfen' },
      status: { connected: 'Aktiv' },
      unifiedApi: { crm: 'Kunden', 'file-storage': 'Ablage' },
      actionLabel: (action, name) => `${name} – ${action}`,
    };
    await el.updateComplete;
    expect(text(button(row(el, 'hubspot'), 'connect'))).to.equal('Verknüpfen');
    expect(button(row(el, 'hubspot'), 'connect').getAttribute('aria-label')).to.equal('HubSpot – Verknüpfen');
    expect(text(badge(row(el, 'salesforce')))).to.equal('Aktiv');
    expect(groupTitle(el, 'crm')).to.equal('Kunden');
    // Everything else stays German.
    expect(text(button(row(el, 'salesforce'), 'settings'))).to.equal(de.action.settings);
    expect(groupTitle(el, 'accounting')).to.equal(de.unifiedApi.accounting);

    // The overrides follow a locale switch.
    el.locale = 'fr';
    await el.updateComplete;
    expect(text(button(row(el, 'hubspot'), 'connect'))).to.equal('Verknüpfen');
    expect(text(button(row(el, 'salesforce'), 'settings'))).to.equal(fr.action.settings);

    el.strings = undefined;
    await el.updateComplete;
    expectList(el, fr);
  });

  it('overrides the English the element starts with, and the error text', async () => {
    const { el, events } = await mountWithList([], {
      route: (call) => (call.url.origin === STUB_API ? errorResponse(500, 'Server Error', 'ServerError', 'Down') : undefined),
    });
    el.strings = { errorTitle: 'Oops', errors: { api_error: 'Our partner failed:' } };
    await el.updateComplete;
    expect(text(statePanel(el)?.querySelector('strong'))).to.equal('Oops');
    expect(text(statePanel(el)?.querySelector('p'))).to.equal('Our partner failed: Down (500)');
    button(statePanel(el)!, 'retry').click();
    await until(() => events.errors.length === 2, 'the second error');
    expect(events.errors[1]?.message).to.equal('Our partner failed: Down (500)');
  });

  it('set before the first render, the overrides are there from the start', async () => {
    const el = document.createElement('vault-connect');
    el.strings = { searchPlaceholder: 'Find an app…' };
    el.token = forgedToken();
    el.setAttribute('unify-base-url', STUB_API);
    stubFetch((call) => (call.url.origin === STUB_API ? listResponse(LIST) : undefined));
    await fixture(html`${el}`);
    expect(search(el).placeholder).to.equal('Find an app…');
  });

  it('ignores unknown keys, values of another kind and hostile keys', async () => {
    const { el } = await mountWithList(LIST, { locale: 'es' });
    el.strings = JSON.parse(
      '{"__proto__": {"polluted": "yes"}, "nope": "x", "action": {"connect": 42, "nope": "y", "settings": {"a": 1}},' +
        ' "status": "flat", "noMatches": "not a function", "unifiedApi": {"__proto__": "x", "crm": 7}}',
    ) as VaultConnect['strings'];
    await el.updateComplete;
    expectList(el, es);
    expect(({} as Record<string, unknown>).polluted).to.equal(undefined);
  });

  it('a unified API named like an Object method is titled from its id', async () => {
    const { el } = await mountWithList([connection({ service_id: 'a', unified_api: 'constructor' }), connection({ service_id: 'b', unified_api: 'toString' })]);
    expect(groupTitle(el, 'constructor')).to.equal('Constructor');
    expect(groupTitle(el, 'toString')).to.equal('ToString');
  });
});

describe('<vault-connect> locale handed to the Vault modal', () => {
  it('is opened in the element’s locale', async () => {
    const modal = new FakeVaultModal();
    const { el } = await mountWithList(LIST, { locale: 'fr', vaultModal: modal });
    button(row(el, 'hubspot'), 'connect').click();
    expect((await modal.waitForOpen()).locale).to.equal('fr');
    el.cancel();
  });
});

describe('<vault-connect> VaultRE row in each locale', () => {
  const connectedAt = '2024-05-01T10:00:00.000Z';

  async function mountVaultreIn(locale: string): Promise<VaultConnect> {
    const el = document.createElement('vault-connect');
    el.setAttribute('locale', locale);
    for (const [name, value] of Object.entries({
      'vaultre-client-id': CLIENT_ID,
      'vaultre-redirect-uri': CALLBACK_URL,
      'vaultre-exchange-url': EXCHANGE_PATH,
      'vaultre-authorize-url': AUTHORIZE_BASE,
    })) {
      el.setAttribute(name, value);
    }
    await fixture(html`${el}`);
    return el;
  }

  async function vaultreRow(el: VaultConnect, t: VaultreStrings): Promise<HTMLElement> {
    await until(() => text(shadow(el).querySelector('#group-vaultre')) === t.group, `the VaultRE row in ${t.group}`);
    await until(() => row(el, 'vaultre').getAttribute('aria-busy') === 'false', 'the VaultRE row settles');
    return row(el, 'vaultre');
  }

  for (const locale of LOCALES) {
    it(`${locale}: the row, and "connected since" its date formatted by Intl`, async () => {
      stubHost({ status: new Response(JSON.stringify({ connected: true, connected_at: connectedAt }), { headers: { 'content-type': 'application/json' } }) });
      const el = await mountVaultreIn(locale);
      const t = VAULTRE[locale];
      const vaultre = await vaultreRow(el, t);
      const date = new Intl.DateTimeFormat(locale, { dateStyle: 'medium' }).format(new Date(connectedAt));
      expect(text(vaultre.querySelector('[part="tag-line"]'))).to.equal(flat(t.connectedSince(date)));
      expect(text(badge(vaultre))).to.equal(TABLES[locale].status.connected);
      expect(button(vaultre, 'reconnect').getAttribute('aria-label')).to.equal(TABLES[locale].actionLabel(TABLES[locale].action.reconnect, t.name));
      expect(button(vaultre, 'more').getAttribute('aria-label')).to.equal(TABLES[locale].moreLabel(t.name));
      expect(text(await menuItem(vaultre, 'disconnect'))).to.equal(TABLES[locale].action.disconnect);
    });
  }

  it('a malformed locale (which Intl would reject) is English, date included', async () => {
    stubHost({ status: new Response(JSON.stringify({ connected: true, connected_at: connectedAt }), { headers: { 'content-type': 'application/json' } }) });
    const el = await mountVaultreIn('not a locale!');
    const vaultre = await vaultreRow(el, vaultreEn);
    const date = new Intl.DateTimeFormat('en', { dateStyle: 'medium' }).format(new Date(connectedAt));
    expect(text(vaultre.querySelector('[part="tag-line"]'))).to.equal(vaultreEn.connectedSince(date));
  });

  it('dates differ by locale as Intl writes them (not one format for all)', async () => {
    stubHost({ status: new Response(JSON.stringify({ connected: true, connected_at: connectedAt }), { headers: { 'content-type': 'application/json' } }) });
    const el = await mountVaultreIn('de');
    const vaultre = await vaultreRow(el, vaultreDe);
    expect(text(vaultre.querySelector('[part="tag-line"]'))).to.equal('Verbunden seit 01.05.2024');
    el.locale = 'fr';
    await vaultreRow(el, vaultreFr);
    expect(text(row(el, 'vaultre').querySelector('[part="tag-line"]'))).to.equal('Connecté depuis le 1 mai 2024');
  });

  it('hints, confirmation and announcements in the locale; switches and overrides', async () => {
    const host = stubHost({ status: new Response(JSON.stringify({ connected: true }), { headers: { 'content-type': 'application/json' } }) });
    const el = await mountVaultreIn('es');
    let vaultre = await vaultreRow(el, vaultreEs);
    expect(text(vaultre.querySelector('[part="tag-line"]'))).to.equal(vaultreEs.accountHint);

    await chooseAction(vaultre, 'disconnect');
    const confirm = await dialog(el);
    expect(text(confirm.querySelector('h2'))).to.equal(vaultreEs.confirmTitle);
    expect(text(confirm.querySelector('p'))).to.equal(vaultreEs.confirmBody);
    expect(text(confirm.querySelector('button[value="confirm"]'))).to.equal(es.confirmDisconnect);
    await answerDialog(confirm, 'confirm');
    await until(() => announcement(el) === vaultreEs.disconnected, 'the Spanish announcement');
    expect(host.deletes()).to.have.length(1);

    el.locale = 'nl';
    vaultre = await vaultreRow(el, vaultreNl);
    expect(text(button(vaultre, 'connect'))).to.equal(nl.action.connect);

    el.strings = { vaultre: { group: 'Makelaardij', accountHint: 'Voor het hele kantoor.' }, action: { connect: 'Koppelen' } };
    await vaultreRow(el, { ...vaultreNl, group: 'Makelaardij' });
    vaultre = row(el, 'vaultre');
    expect(text(vaultre.querySelector('[part="tag-line"]'))).to.equal('Voor het hele kantoor.');
    expect(text(button(vaultre, 'connect'))).to.equal('Koppelen');
    expect(text(vaultre.querySelector('[part="name"]'))).to.equal('VaultRE');
  });
});
