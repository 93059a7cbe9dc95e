/** The VaultRE row's Dutch strings: a lazy chunk that only the VaultRE chunk loads. */
import type { VaultreStrings } from './vaultre-en.ts';

const vaultreNl: VaultreStrings = {
  name: 'VaultRE',
  group: 'Vastgoed',
  accountHint: 'Toegang op kantoorniveau. Alleen een VaultRE-systeembeheerder kan dit goedkeuren.',
  userHint: 'Toegang als je eigen VaultRE-gebruiker.',
  connectedSince: (date) => `Verbonden sinds ${date}`,
  checking: 'Controleren…',
  opening: 'VaultRE wordt geopend…',
  waiting: 'Wachten op VaultRE…',
  exchanging: 'Verbinden…',
  disconnecting: 'Ontkoppelen…',
  connected: 'VaultRE verbonden',
  disconnected: 'VaultRE ontkoppeld',
  confirmTitle: 'VaultRE ontkoppelen?',
  confirmBody: 'Het toegangstoken wordt verwijderd. Je kunt later opnieuw verbinden.',
};

export default vaultreNl;
