/**
 * The VaultRE row's strings per locale, loaded by the one loader in `localize.ts`. Only the VaultRE chunk imports this
 * module, so hosts without VaultRE load none of it; English is in the VaultRE chunk, every other locale is a chunk of
 * its own.
 */
import type { TableFamily } from './localize.ts';
import { vaultreEn, type VaultreStrings } from './vaultre-en.ts';

export const VAULTRE_TABLES: TableFamily<VaultreStrings> = {
  loaders: {
    nl: () => import('./vaultre-nl.ts'),
    de: () => import('./vaultre-de.ts'),
    fr: () => import('./vaultre-fr.ts'),
    es: () => import('./vaultre-es.ts'),
  },
  loaded: new Map([['en', vaultreEn]]),
};
