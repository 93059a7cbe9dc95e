/**
 * `vault-connect/react`: `<vault-connect>` as a React component, for React 18 (which passes every prop to a custom
 * element as a string attribute and has no way to listen to its events) and React 19 alike.
 *
 * Made with `@lit/react`: the element's properties are set as properties (so `token` and `vaultModal` reach it as
 * values) and the `on…` props below become listeners for the element's events. The element comes from the package
 * entry (the build keeps it external as `vault-connect`), so an app that also imports `vault-connect` loads one copy.
 */
import { createComponent, type EventName } from '@lit/react';
import type { LitElement } from 'lit';
import * as React from 'react';
import {
  VaultConnect as VaultConnectElement,
  type VaultConnectErrorEvent,
  type VaultConnectionChangeEvent,
  type VaultConnectionDeleteEvent,
  type VaultConnectReadyEvent,
  type VaultreConnectEvent,
} from '../index.ts';

/** The React event props and the element events they listen to (the names are the public contract). */
const events = {
  onReady: 'vault-connect-ready' as EventName<VaultConnectReadyEvent>,
  onConnectionChange: 'vault-connection-change' as EventName<VaultConnectionChangeEvent>,
  onConnectionDelete: 'vault-connection-delete' as EventName<VaultConnectionDeleteEvent>,
  onVaultreConnect: 'vaultre-connect' as EventName<VaultreConnectEvent>,
  onError: 'vault-connect-error' as EventName<VaultConnectErrorEvent>,
};

/**
 * The element's public properties (`sessionUrl`, `token`, `locale`…): its own members that are not methods, derived
 * from the class so that a new property is a prop at once (the type tests check them against custom-elements.json).
 */
type ElementProperties = {
  [K in Exclude<keyof VaultConnectElement, keyof LitElement> as VaultConnectElement[K] extends (...args: never[]) => unknown
    ? never
    : K]: VaultConnectElement[K];
};

/** The event props: each handler receives the element's typed event (`event.detail` as in the contract). */
export type VaultConnectEventProps = {
  [K in keyof typeof events]?: (event: (typeof events)[K]['__eventType']) => void;
};

/**
 * The props of `<VaultConnect>`: the element's properties (camelCase, all optional), the event props, and the
 * ordinary HTML attributes (`id`, `className`, `style`, `aria-*`…). A `ref` gives the element itself, for its methods
 * (`refresh()`, `openConnection()`, `connectVaultre()`, `cancel()`).
 */
export type VaultConnectProps = Partial<ElementProperties> &
  VaultConnectEventProps &
  Omit<React.HTMLAttributes<VaultConnectElement>, keyof ElementProperties | keyof VaultConnectEventProps> &
  React.RefAttributes<VaultConnectElement>;

/** `<vault-connect>` for React. */
export const VaultConnect: React.ForwardRefExoticComponent<VaultConnectProps> = createComponent({
  react: React,
  tagName: 'vault-connect',
  elementClass: VaultConnectElement,
  events,
  displayName: 'VaultConnect',
});

export type {
  Connection,
  ConnectionStatus,
  ErrorCode,
  Locale,
  OpenMode,
  Theme,
  VaultConnectErrorDetail,
  WindowMode,
  VaultConnectErrorEvent,
  VaultConnectionChangeEvent,
  VaultConnectionDeleteEvent,
  VaultConnectReadyEvent,
  VaultModal,
  VaultModalOptions,
  VaultreConnectEvent,
} from '../index.ts';
/** The element class, for `ref` types: `useRef<VaultConnectElement>(null)`. */
export type { VaultConnectElement };
