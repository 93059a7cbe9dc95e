/**
 * The VaultRE row as the element loads it (one chunk with the row): given the whole string table, since the element's
 * first load has only the list's English strings (see `withFlows`).
 */
import { describeError } from '../api/errors.ts';
import { withFlows, type Strings } from '../../i18n/en.ts';
import type { ListStrings } from '../../i18n/en-list.ts';
import { VaultreRow, type VaultreHost } from './vaultre-row.ts';

export interface VaultreElementServices {
  strings(): ListStrings | Strings;
  announce(text: string): void;
}

export function createVaultreRow(host: VaultreHost, services: VaultreElementServices): VaultreRow {
  const strings = () => withFlows(services.strings());
  return new VaultreRow(host, {
    strings,
    announce: (text) => services.announce(text),
    describe: (error) => describeError(error, strings()),
  });
}
