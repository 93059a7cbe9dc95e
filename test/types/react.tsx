/**
 * `vault-connect/react`: the wrapper's props and event props, and the generated `JSX.IntrinsicElements` entry for
 * React 19 apps that render `<vault-connect>` directly. The wrapper's props are checked against custom-elements.json
 * (through the generated Vue props) so that a property the element documents cannot be missing from the wrapper.
 */
import { createRef } from 'react';
import {
  VaultConnect,
  type Connection,
  type Locale,
  type VaultConnectElement,
  type VaultConnectErrorDetail,
  type VaultConnectErrorEvent,
  type VaultConnectionChangeEvent,
  type VaultConnectionDeleteEvent,
  type VaultConnectJsxProps,
  type VaultConnectProps,
  type VaultConnectReadyEvent,
  type VaultreConnectEvent,
} from 'vault-connect/react';
import type { VaultConnectVueProps } from 'vault-connect/vue';
import type { Equal, Expect, HandlerEvent, IsAny } from './assert.ts';

const ref = createRef<VaultConnectElement>();

export const wrapper = (
  <VaultConnect
    ref={ref}
    sessionUrl="/api/vault-session"
    unifiedApi="crm"
    locale="nl"
    theme="dark"
    openMode="popup"
    windowMode="same-tab"
    callbackUrl="/vault/callback"
    vaultreClientId="client"
    vaultreTokenType="user"
    strings={{ action: { connect: 'Link' } }}
    className="settings"
    aria-label="Connections"
    onReady={(event: VaultConnectReadyEvent) => void event}
    onConnectionChange={(event: VaultConnectionChangeEvent) => void event}
    onConnectionDelete={(event: VaultConnectionDeleteEvent) => void event}
    onVaultreConnect={(event: VaultreConnectEvent) => void event}
    onError={(event: VaultConnectErrorEvent) => void event}
  />
);

// @ts-expect-error -- `locale` is one of the five languages
export const unknownLocale = <VaultConnect locale="xx" />;
// @ts-expect-error -- `windowMode` is `auto`, `popup` or `same-tab`
export const unknownWindowMode = <VaultConnect windowMode="tab" />;
export const stringTimeout = <VaultConnect flowTimeout="60000" />;
// @ts-expect-error -- `flowTimeout` is a number, or a numeric string
export const wordTimeout = <VaultConnect flowTimeout="soon" />;
// @ts-expect-error -- `onError` hands over the error event, not a change event
export const wrongHandler = <VaultConnect onError={(event: VaultConnectionChangeEvent) => void event} />;

// React 19, no wrapper: the generated IntrinsicElements entry.
export const direct = (
  <vault-connect
    token="jwt"
    unifiedApi="crm"
    session-url="/api/vault-session"
    window-mode="popup"
    locale="de"
    className="settings"
    onvault-connection-change={(event: VaultConnectionChangeEvent) => void event}
    onvault-connect-error={(event: VaultConnectErrorEvent) => void event}
  />
);
// @ts-expect-error -- `locale` is one of the five languages here too
export const directUnknownLocale = <vault-connect locale="xx" />;
export const directStringTimeout = <vault-connect flowTimeout="60000" flow-timeout="60000" />;
// @ts-expect-error -- `flowTimeout` is a number, or a numeric string
export const directWordTimeout = <vault-connect flowTimeout="soon" />;
// @ts-expect-error -- the listener gets the ready event
export const directWrongHandler = <vault-connect onvault-connect-ready={(event: VaultConnectErrorEvent) => void event} />;

type ManifestProperties = Exclude<keyof VaultConnectVueProps, `on${string}`>;

export type Checks = [
  Expect<Equal<IsAny<VaultConnectProps>, false>>,
  Expect<Equal<Exclude<ManifestProperties, keyof VaultConnectProps>, never>>,
  Expect<Equal<Exclude<ManifestProperties, keyof VaultConnectJsxProps>, never>>,
  Expect<Equal<NonNullable<VaultConnectProps['locale']>, Locale>>,
  Expect<Equal<IsAny<VaultConnectProps['vaultModal']>, false>>,
  Expect<Equal<HandlerEvent<VaultConnectProps['onReady']>['detail']['connections'], readonly Connection[]>>,
  Expect<Equal<HandlerEvent<VaultConnectProps['onConnectionChange']>['detail']['connection'], Connection>>,
  Expect<Equal<HandlerEvent<VaultConnectProps['onConnectionDelete']>['detail']['connection'], Connection>>,
  Expect<Equal<HandlerEvent<VaultConnectProps['onError']>['detail'], VaultConnectErrorDetail>>,
  Expect<Equal<HandlerEvent<VaultConnectProps['onVaultreConnect']>['detail'], { result: unknown }>>,
  Expect<Equal<HandlerEvent<VaultConnectJsxProps['onvault-connection-delete']>['detail']['connection'], Connection>>,
];
