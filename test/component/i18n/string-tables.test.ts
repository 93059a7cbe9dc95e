/**
 * The string tables themselves: every locale has exactly English's keys (and kinds, and arities), nothing empty or left
 * in English, interpolations kept; the `strings` merge, the locale resolution and the callback page's message, with
 * hostile input.
 */
import { expect } from '@open-wc/testing';
import { LOCALES, type Locale } from '../../../src/internal/api/vocabulary.ts';
import { CLOSE_MESSAGES, closeMessage } from '../../../src/i18n/callback.ts';
import de from '../../../src/i18n/de.ts';
import { en, type Strings } from '../../../src/i18n/en.ts';
import es from '../../../src/i18n/es.ts';
import fr from '../../../src/i18n/fr.ts';
import { language, mergeStrings } from '../../../src/i18n/localize.ts';
import nl from '../../../src/i18n/nl.ts';
import vaultreDe from '../../../src/i18n/vaultre-de.ts';
import { vaultreEn, type VaultreStrings } from '../../../src/i18n/vaultre-en.ts';
import vaultreEs from '../../../src/i18n/vaultre-es.ts';
import vaultreFr from '../../../src/i18n/vaultre-fr.ts';
import vaultreNl from '../../../src/i18n/vaultre-nl.ts';

const TABLES: Record<Locale, Strings> = { en, nl, de, fr, es };
const VAULTRE_TABLES: Record<Locale, VaultreStrings> = { en: vaultreEn, nl: vaultreNl, de: vaultreDe, fr: vaultreFr, es: vaultreEs };
const OTHERS = LOCALES.filter((locale) => locale !== 'en');

/** `UnifiedApiId` in the Vault OpenAPI spec (10.34.0): every other locale titles each; English derives most from the id. */
const UNIFIED_APIS = [
  'accounting', 'ats', 'calendar', 'crm', 'csp', 'customer-support', 'ecommerce', 'email', 'email-marketing',
  'expense-management', 'file-storage', 'form', 'hris', 'lead', 'payroll', 'pos', 'procurement', 'project-management',
  'script', 'sms', 'spreadsheet', 'subscription-analytics', 'team-messaging', 'issue-tracking', 'time-registration',
  'transactional-email', 'vault',
].sort();

/** Every leaf of a table as `path: kind`, a function's kind with its arity (`function/2`). */
function leaves(value: unknown, path = ''): string[] {
  if (typeof value === 'function') return [`${path}: function/${value.length}`];
  if (value !== null && typeof value === 'object') {
    return Object.keys(value).flatMap((key) => leaves((value as Record<string, unknown>)[key], path ? `${path}.${key}` : key));
  }
  return [`${path}: ${typeof value}`];
}

/** Every leaf's value, by path (functions called with sentinel arguments). */
function values(value: unknown, path = ''): [string, unknown, unknown[]][] {
  if (typeof value === 'function') {
    const args = Array.from({ length: value.length }, (_, i) => `⟨arg${i}⟩`);
    return [[path, (value as (...a: unknown[]) => unknown)(...args), args]];
  }
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).flatMap(([key, child]) => values(child, path ? `${path}.${key}` : key));
  }
  return [[path, value, []]];
}

/** A table without its unified API titles, which have their own rule (below). */
function compared(table: object): object {
  if (!('unifiedApi' in table)) return table;
  const { unifiedApi: _, ...rest } = table;
  return rest;
}

function difference(a: readonly string[], b: readonly string[]): string[] {
  return a.filter((entry) => !b.includes(entry));
}

describe('string tables', () => {
  const families: [string, Record<Locale, object>][] = [
    ['element', TABLES],
    ['VaultRE row', VAULTRE_TABLES],
  ];
  for (const [name, tables] of families) {
    describe(`${name} strings`, () => {
      for (const locale of OTHERS) {
        it(`${locale} has exactly English's keys, of the same kinds and arities`, () => {
          const reference = leaves(compared(tables.en));
          const actual = leaves(compared(tables[locale]));
          expect(difference(reference, actual), `missing in ${locale}`).to.deep.equal([]);
          expect(difference(actual, reference), `extra in ${locale}`).to.deep.equal([]);
        });

        it(`${locale} leaves nothing empty or in English, and keeps every interpolation`, () => {
          const english = new Map(values(compared(tables.en)).map(([path, value]) => [path, value]));
          for (const [path, value, args] of values(compared(tables[locale]))) {
            expect(value, path).to.be.a('string');
            const text = value as string;
            expect(text.trim(), `${locale} ${path} is empty`).to.not.equal('');
            for (const arg of args) expect(text, `${locale} ${path} drops ${String(arg)}`).to.include(arg);
            // Product names stay as they are, and so may a mere arrangement of the arguments; every sentence is translated.
            const words = args.reduce<string>((rest, arg) => rest.replace(String(arg), ''), text);
            if (path !== 'name' && /\p{L}/u.test(words)) expect(text, `${locale} ${path} is still English`).to.not.equal(english.get(path));
            expect(text, `${locale} ${path}`).to.not.match(/\s{2,}|^\s|\s$/);
          }
        });
      }

      it('the tables carry no markup (they are rendered as text)', () => {
        for (const locale of LOCALES) {
          for (const [path, value] of values(tables[locale])) expect(String(value), `${locale} ${path}`).to.not.match(/[<>]/);
        }
      });
    });
  }

  it('French puts a no-break space before : ? ! ; » and after «', () => {
    for (const table of [fr, vaultreFr]) {
      for (const [path, value] of values(table)) {
        expect(String(value), path).to.not.match(/ [:?!;»]|« |\S[:?!;»](?!\S)/u);
      }
    }
    expect(fr.confirmDisconnectTitle('Salesforce')).to.equal('Déconnecter Salesforce\u00a0?');
  });

  describe('unified API titles', () => {
    it('every other locale titles every unified API of the spec, and nothing else', () => {
      for (const locale of OTHERS) {
        expect(Object.keys(TABLES[locale].unifiedApi).sort(), locale).to.deep.equal(UNIFIED_APIS);
        for (const [id, title] of Object.entries(TABLES[locale].unifiedApi)) expect(title.trim(), `${locale} ${id}`).to.not.equal('');
      }
    });

    it('English titles only the ids its derivation gets wrong, all of them unified APIs of the spec', () => {
      expect(difference(Object.keys(en.unifiedApi), UNIFIED_APIS)).to.deep.equal([]);
    });
  });

  it('the callback page has its message in every locale', () => {
    expect(Object.keys(CLOSE_MESSAGES).sort()).to.deep.equal([...LOCALES].sort());
    for (const locale of OTHERS) expect(CLOSE_MESSAGES[locale]).to.not.equal(CLOSE_MESSAGES.en);
  });
});

describe('language()', () => {
  it('takes our locales, any case, with or without a region', () => {
    expect(['nl', 'de', 'fr', 'es', 'en'].map(language)).to.deep.equal(['nl', 'de', 'fr', 'es', 'en']);
    expect(['fr-CA', 'DE', 'de_AT', 'es-419', 'nl-BE', 'en-GB'].map(language)).to.deep.equal(['fr', 'de', 'de', 'es', 'nl', 'en']);
  });

  it('is English for anything else, hostile or malformed', () => {
    for (const value of ['xx', '', ' nl', 'nld', 'english', '-nl', '__proto__', 'constructor', 'toString', 'hasOwnProperty', null, undefined, 42, {}]) {
      expect(language(value), JSON.stringify(value)).to.equal('en');
    }
  });
});

describe('mergeStrings()', () => {
  const snapshot = JSON.stringify(leaves(en)) + JSON.stringify(values(en).map(([p, v]) => [p, v]));

  afterEach(() => {
    // The tables are shared by every element: a merge never changes them.
    expect(JSON.stringify(leaves(en)) + JSON.stringify(values(en).map(([p, v]) => [p, v]))).to.equal(snapshot);
    expect(({} as Record<string, unknown>).polluted).to.equal(undefined);
  });

  it('overrides strings and functions at any depth, keeping the rest', () => {
    const merged = mergeStrings(en, {
      searchLabel: 'Find',
      action: { connect: 'Link' },
      errors: { network_error: 'Offline?' },
      noMatches: (query: string) => `Nothing for ${query}`,
    });
    expect(merged.searchLabel).to.equal('Find');
    expect(merged.action).to.deep.equal({ ...en.action, connect: 'Link' });
    expect(merged.errors).to.deep.equal({ ...en.errors, network_error: 'Offline?' });
    expect(merged.noMatches('x')).to.equal('Nothing for x');
    expect(merged.status).to.equal(en.status);
    expect(leaves(merged)).to.deep.equal(leaves(en));
  });

  it('ignores unknown keys and values of another kind', () => {
    const merged = mergeStrings(en, {
      nope: 'x',
      action: { nope: 'y', connect: 42, settings: null, enable: { deep: 'z' } },
      loading: () => 'a function for a string',
      noMatches: 'a string for a function',
      errors: 'a string for a table',
      status: ['an', 'array'],
      vaultre: { group: 'belongs to the VaultRE row' },
    });
    expect(merged).to.deep.equal({ ...en });
    expect(leaves(merged)).to.deep.equal(leaves(en));
  });

  it('returns the table itself for overrides that are not objects', () => {
    for (const overrides of [undefined, null, 'action', 42, true, () => ({ action: { connect: 'x' } })]) {
      expect(mergeStrings(en, overrides), String(overrides)).to.equal(en);
    }
  });

  it('never touches a prototype, whatever the keys', () => {
    const hostile: unknown = JSON.parse(
      '{"__proto__": {"polluted": "yes", "searchLabel": "proto"}, "constructor": {"prototype": {"polluted": "yes"}},' +
        ' "action": {"__proto__": {"polluted": "yes"}}, "unifiedApi": {"__proto__": "x", "constructor": "C", "toString": "T"}}',
    );
    const merged = mergeStrings(en, hostile);
    expect(Object.getPrototypeOf(merged)).to.equal(Object.prototype);
    expect(Object.getPrototypeOf(merged.action)).to.equal(Object.prototype);
    expect(merged.searchLabel).to.equal(en.searchLabel);
    expect((merged as unknown as Record<string, unknown>).polluted).to.equal(undefined);
    expect(Object.hasOwn(merged.unifiedApi, '__proto__')).to.equal(false);
    // The titles map is open: any id may get a title, as a plain own string.
    const titles = new Map(Object.entries(merged.unifiedApi));
    expect(titles.get('constructor')).to.equal('C');
    expect(titles.get('toString')).to.equal('T');
  });

  it('adds titles for unified APIs English does not list', () => {
    const merged = mergeStrings(en, { unifiedApi: { accounting: 'Books', crm: 'Customers', bad: 1 } });
    expect(merged.unifiedApi).to.deep.equal({ ...en.unifiedApi, accounting: 'Books', crm: 'Customers' });
  });
});

describe('closeMessage()', () => {
  it('follows the browser languages in order, region or not', () => {
    expect(closeMessage(['de-DE', 'en'])).to.deep.equal({ lang: 'de', text: CLOSE_MESSAGES.de });
    expect(closeMessage(['pt-BR', 'xx', 'FR'])).to.deep.equal({ lang: 'fr', text: CLOSE_MESSAGES.fr });
    expect(closeMessage(['es-419'])).to.deep.equal({ lang: 'es', text: CLOSE_MESSAGES.es });
  });

  it('is English when none is ours, or the list is odd', () => {
    for (const languages of [[], undefined, ['__proto__', 'constructor'], ['', 'pt'], [null as unknown as string]]) {
      expect(closeMessage(languages), JSON.stringify(languages)).to.deep.equal({ lang: 'en', text: CLOSE_MESSAGES.en });
    }
  });
});
