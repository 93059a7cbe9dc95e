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
  confirmBody:
    'Cette application oublie son jeton d’accès. Le jeton reste valide chez VaultRE jusqu’à ce que vous le révoquiez dans votre compte VaultRE. Vous pourrez vous reconnecter plus tard.',
  confirmBodyRevoked: 'Cette application oublie son jeton d’accès, que VaultRE n’accepte plus. Vous pourrez vous reconnecter plus tard.',
  revokedHint: 'VaultRE n’accepte plus cette connexion\u00a0: son accès a été révoqué dans VaultRE. Reconnectez-vous pour l’utiliser à nouveau.',
};

export default vaultreFr;
