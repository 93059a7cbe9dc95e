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
  confirmBody: 'Se eliminará el token de acceso. Podrás volver a conectarte más adelante.',
};

export default vaultreEs;
