/**
 * Picks strings: one loader for every family of tables (the element's here, the VaultRE row's in `vaultre-tables.ts`).
 * Built-in English is all the first load has: the element imports this module only once `locale` or `strings` asks for
 * more, and each of `nl`, `de`, `fr` and `es` is a chunk of its own, loaded when asked for. The host's `strings`
 * property is merged over the locale's table.
 */
import type { Locale } from '../internal/api/vocabulary.ts';
import { en, type Strings } from './en.ts';
import { language } from './language.ts';
import type { VaultreStrings } from './vaultre-en.ts';

/** A partial copy of a string table: any subset of its keys, at any depth. */
export type DeepPartial<T> = {
  [K in keyof T]?: T[K] extends (...args: never[]) => unknown ? T[K] : T[K] extends object ? DeepPartial<T[K]> : T[K];
};

/** The `strings` property: any of the element's strings, plus the VaultRE row's under `vaultre`. */
export type StringOverrides = DeepPartial<Strings> & { vaultre?: DeepPartial<VaultreStrings> };

/** A family of string tables: English built in, every other locale a lazy chunk, and the tables loaded so far. */
export interface TableFamily<T> {
  readonly loaders: Record<Exclude<Locale, 'en'>, () => Promise<{ default: T }>>;
  readonly loaded: Map<Locale, T>;
}

/** The element's own tables. */
const ELEMENT_TABLES: TableFamily<Strings> = {
  loaders: {
    nl: () => import('./nl.ts'),
    de: () => import('./de.ts'),
    fr: () => import('./fr.ts'),
    es: () => import('./es.ts'),
  },
  loaded: new Map([['en', en]]),
};

export { language };

/**
 * The table of `family` for `lang` if it is in; otherwise a promise that settles with it once it is in, or with
 * `fallback` when it fails to load (it is asked for again next time).
 */
export function tableOf<T, F>(family: TableFamily<T>, lang: Locale, fallback: F): T | Promise<T | F> {
  const table = family.loaded.get(lang);
  if (table) return table;
  return family.loaders[lang as Exclude<Locale, 'en'>]().then(
    (module) => {
      family.loaded.set(lang, module.default);
      return module.default;
    },
    () => fallback,
  );
}

/**
 * `table` with `overrides` merged over it, at any depth. Only keys the table has, and only values of the same kind
 * (a string for a string, a function for a function); everything else is ignored. `open` (the unified API titles) also
 * takes new keys with string values. Never touches a prototype: `__proto__` is skipped as an unknown key.
 */
export function mergeStrings<T extends object>(table: T, overrides: unknown, open?: boolean): T {
  if (!overrides || typeof overrides !== 'object') return table;
  const merged: Record<string, unknown> = { ...(table as Record<string, unknown>) };
  for (const [key, value] of Object.entries(overrides)) {
    const base = Object.hasOwn(table, key) ? (table as Record<string, unknown>)[key] : open && key !== '__proto__' ? '' : undefined;
    if (typeof base === 'object') merged[key] = mergeStrings(base as object, value, key === 'unifiedApi');
    else if (typeof value === typeof base) merged[key] = value;
  }
  return merged as T;
}

/** What the localizer reads of its element. */
export interface LocalizedHost {
  readonly locale: string;
  readonly strings: StringOverrides | undefined;
}

/**
 * Hands `use` the table of the host's `locale` with its `strings` merged over it. When the table is not in yet, it is
 * loaded first and the returned promise settles once it is; the element holds its update meanwhile, so the current
 * language stays on screen until the new one is ready (never a flash of another). While a table fails to load,
 * English. Never rejects.
 */
export function prepare(host: LocalizedHost, use: (strings: Strings) => void): Promise<void> | void {
  const table = tableOf(ELEMENT_TABLES, language(host.locale), undefined);
  // Cheap (a few dozen keys, and none without overrides), so done on every update rather than remembered.
  if (!(table instanceof Promise)) return use(mergeStrings(table, host.strings));
  // Once in, again: `locale` may have changed meanwhile. A table that failed to load is English this time.
  return table.then((loaded) => (loaded ? prepare(host, use) : use(mergeStrings(en, host.strings))));
}
