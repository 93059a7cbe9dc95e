/** The VaultRE row's German strings: a lazy chunk that only the VaultRE chunk loads. */
import type { VaultreStrings } from './vaultre-en.ts';

const vaultreDe: VaultreStrings = {
  name: 'VaultRE',
  group: 'Immobilien',
  accountHint: 'Zugriff auf Büroebene. Nur ein VaultRE-Systemadministrator kann ihn genehmigen.',
  userHint: 'Zugriff als Ihr eigener VaultRE-Benutzer.',
  connectedSince: (date) => `Verbunden seit ${date}`,
  checking: 'Wird geprüft…',
  opening: 'VaultRE wird geöffnet…',
  waiting: 'Warten auf VaultRE…',
  exchanging: 'Verbindung wird hergestellt…',
  disconnecting: 'Wird getrennt…',
  connected: 'VaultRE verbunden',
  disconnected: 'VaultRE getrennt',
  confirmTitle: 'VaultRE trennen?',
  confirmBody:
    'Diese App vergisst ihr Zugriffstoken. Bei VaultRE bleibt das Token gültig, bis Sie es dort in Ihrem VaultRE-Konto widerrufen. Sie können sich später erneut verbinden.',
  confirmBodyRevoked: 'Diese App vergisst ihr Zugriffstoken, das VaultRE nicht mehr akzeptiert. Sie können sich später erneut verbinden.',
  revokedHint: 'VaultRE akzeptiert diese Verbindung nicht mehr: Der Zugriff wurde in VaultRE widerrufen. Verbinden Sie sich neu, um sie wieder zu nutzen.',
};

export default vaultreDe;
