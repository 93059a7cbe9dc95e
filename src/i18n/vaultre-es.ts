/** The VaultRE row's Spanish strings: a lazy chunk that only the VaultRE chunk loads. */
import type { VaultreStrings } from './vaultre-en.ts';

const vaultreEs: VaultreStrings = {
  name: 'VaultRE',
  group: 'Inmobiliaria',
  accountHint: 'Acceso a nivel de oficina. Solo un administrador del sistema de VaultRE puede aprobarlo.',
  userHint: 'Acceso con tu propio usuario de VaultRE.',
  connectedSince: (date) => `Conectado desde el ${date}`,
  checking: 'Comprobando…',
  opening: 'Abriendo VaultRE…',
  waiting: 'Esperando a VaultRE…',
  exchanging: 'Conectando…',
  disconnecting: 'Desconectando…',
  connected: 'VaultRE conectado',
  disconnected: 'VaultRE desconectado',
  confirmTitle: '¿Desconectar VaultRE?',
  confirmBody:
    'Esta aplicación olvida su token de acceso. El token sigue siendo válido en VaultRE hasta que lo revoques allí, en tu cuenta de VaultRE. Podrás volver a conectarte más adelante.',
  confirmBodyRevoked: 'Esta aplicación olvida su token de acceso, que VaultRE ya no acepta. Podrás volver a conectarte más adelante.',
  revokedHint: 'VaultRE ya no acepta esta conexión: su acceso se revocó en VaultRE. Vuelve a conectar para usarla de nuevo.',
};

export default vaultreEs;
