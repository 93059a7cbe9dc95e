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
  confirmBody:
    'Deze app vergeet zijn toegangstoken. Het token blijft geldig bij VaultRE tot je het daar intrekt, in je VaultRE-account. Je kunt later opnieuw verbinden.',
  confirmBodyRevoked: 'Deze app vergeet zijn toegangstoken, dat VaultRE niet meer accepteert. Je kunt later opnieuw verbinden.',
  revokedHint: 'VaultRE accepteert deze verbinding niet meer: de toegang is in VaultRE ingetrokken. Verbind opnieuw om haar weer te gebruiken.',
};

export default vaultreNl;
