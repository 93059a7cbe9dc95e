/**
 * The VaultRE row's strings per locale. Only the VaultRE chunk imports this module, so hosts without VaultRE load none
 * of it; English is in the VaultRE chunk, every other locale is a chunk of its own.
 */
import type { Locale } from '../api/vocabulary.ts';
import { vaultreEn, type VaultreStrings } from './vaultre-en.ts';

const LOADERS = {
  nl: () => import('./vaultre-nl.ts'),
  de: () => import('./vaultre-de.ts'),
  fr: () => import('./vaultre-fr.ts'),
  es: () => import('./vaultre-es.ts'),
};

const tables = new Map<Locale, VaultreStrings>([['en', vaultreEn]]);
const loading = new Map<Locale, Promise<void>>();

/**
 * The table for `lang` if it is in; otherwise `undefined`, and `onLoad` runs once it has arrived (a table that fails to
 * load is replaced by English, so this never asks twice).
 */
export function vaultreTable(lang: Locale, onLoad: () => void): VaultreStrings | undefined {
  const table = tables.get(lang);
  if (table) return table;
  let pending = loading.get(lang);
  if (!pending) {
    pending = LOADERS[lang as keyof typeof LOADERS]().then(
      (module) => void tables.set(lang, module.default),
      () => void tables.set(lang, vaultreEn),
    );
    loading.set(lang, pending);
  }
  void pending.then(onLoad);
  return undefined;
}
