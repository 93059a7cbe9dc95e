/**
 * `vault-connect/vue`: the `GlobalComponents` augmentation generated from custom-elements.json, as Vue's tooling reads
 * it for `<vault-connect>` in a template (vue-tsc checks the template's props against the component's `$props`;
 * `@vault-connection-change` is the `onVaultConnectionChange` prop).
 */
import type { GlobalComponents } from 'vue';
import type {
  Connection,
  Locale,
  VaultConnect,
  VaultConnectErrorDetail,
  VaultConnectionChangeEvent,
  VaultConnectReadyEvent,
  VaultConnectVueProps,
} from 'vault-connect/vue';
import type { Equal, Expect, HandlerEvent, IsAny } from './assert.ts';

type Props = InstanceType<GlobalComponents['vault-connect']>['$props'];

export const template: Props = {
  sessionUrl: '/api/vault-session',
  unifiedApi: 'crm',
  locale: 'nl',
  theme: 'dark',
  openMode: 'popup',
  windowMode: 'same-tab',
  flowTimeout: 60_000,
  onVaultConnectReady: (event: VaultConnectReadyEvent) => void event,
  onVaultConnectionChange: (event: VaultConnectionChangeEvent) => void event,
};

// @ts-expect-error -- `locale` is one of the five languages
export const unknownLocale: Props = { locale: 'xx' };
// @ts-expect-error -- `windowMode` is `auto`, `popup` or `same-tab`
export const unknownWindowMode: Props = { windowMode: 'tab' };
// @ts-expect-error -- `token` is a string
export const numericToken: Props = { token: 42 };
// `flow-timeout="60000"` in a template: a numeric string is fine…
export const stringTimeout: Props = { flowTimeout: '60000' };
// @ts-expect-error -- …a string that is not a number is not
export const wordTimeout: Props = { flowTimeout: 'soon' };
// @ts-expect-error -- `@vault-connection-change` hands over the change event, not a ready event
export const wrongListener: Props = { onVaultConnectionChange: (event: VaultConnectReadyEvent) => void event };

export type Checks = [
  Expect<Equal<IsAny<Props>, false>>,
  Expect<Equal<NonNullable<Props['locale']>, Locale>>,
  Expect<Equal<undefined extends Props['locale'] ? true : false, true>>,
  Expect<Equal<Props['token'], string | undefined>>,
  Expect<Equal<NonNullable<Props['vaultModal']>, NonNullable<VaultConnect['vaultModal']>>>,
  Expect<Equal<HandlerEvent<Props['onVaultConnectReady']>['detail']['connections'], readonly Connection[]>>,
  Expect<Equal<HandlerEvent<Props['onVaultConnectionChange']>['detail']['connection'], Connection>>,
  Expect<Equal<HandlerEvent<Props['onVaultConnectionDelete']>['detail']['connection'], Connection>>,
  Expect<Equal<HandlerEvent<Props['onVaultConnectError']>['detail'], VaultConnectErrorDetail>>,
  Expect<Equal<HandlerEvent<Props['onVaultreConnect']>['detail'], { result: unknown }>>,
  // A listener prop for every event of the contract, and no other.
  Expect<
    Equal<
      Extract<keyof VaultConnectVueProps, `on${string}`>,
      'onVaultConnectReady' | 'onVaultConnectionChange' | 'onVaultConnectionDelete' | 'onVaultConnectError' | 'onVaultreConnect'
    >
  >,
];
