/** The VaultRE row's French strings: a lazy chunk that only the VaultRE chunk loads. */
import type { VaultreStrings } from './vaultre-en.ts';

const vaultreFr: VaultreStrings = {
  name: 'VaultRE',
  group: 'Immobilier',
  accountHint: 'Accès au niveau de l’agence. Seul un administrateur système VaultRE peut l’approuver.',
  userHint: 'Accès avec votre propre compte utilisateur VaultRE.',
  connectedSince: (date) => `Connecté depuis le ${date}`,
  checking: 'Vérification…',
  opening: 'Ouverture de VaultRE…',
  waiting: 'En attente de VaultRE…',
  exchanging: 'Connexion…',
  disconnecting: 'Déconnexion…',
  connected: 'VaultRE connecté',
  disconnected: 'VaultRE déconnecté',
  confirmTitle: 'Déconnecter VaultRE\u00a0?',
  confirmBody: 'Le jeton d’accès sera supprimé. Vous pourrez vous reconnecter plus tard.',
};

export default vaultreFr;
