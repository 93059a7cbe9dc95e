/**
 * The words the action path speaks: what an action is told (`ActionContext`), how it runs (`RunOptions`) and what it
 * reports (`ActionResult`). The controllers implement these interfaces; the actions never import a controller.
 */
import type { VaultClient } from '../api/vault-client.ts';
import type { Connection } from '../api/schemas.ts';
import type { VaultConnectError } from '../api/errors.ts';
import type { PendingRedirect, RedirectResult } from '../popup/redirect-fallback.ts';
import type { OpenPlan } from './open-plan.ts';
import type { VaultModal } from './vault-modal.ts';

/** What a finished action says, for the element to announce. */
export type ActionResult =
  | { kind: 'updated'; connection: Connection }
  | { kind: 'deleted'; connection: Connection }
  | { kind: 'unchanged' }
  | { kind: 'failed'; error: VaultConnectError }
  | { kind: 'aborted' };

/** How a row action runs, beyond the action itself. */
export interface RunOptions {
  /** How `connect`/`settings`/`reconnect` open (default `modal`). */
  plan?: OpenPlan;
  /** The popup opened inside the click, for `hosted` and `direct`. */
  popup?: Window;
  /** Leave the page instead of a popup (the browser blocked it twice). */
  sameTab?: boolean;
  /** Finish a same-tab flow the callback page brought back. */
  resume?: { pending: PendingRedirect; result: RedirectResult };
  /** The popup reads closed while the flow still listens for its result (see `runPopupFlow`). */
  onClosed?: (() => void) | undefined;
  /** A result came after the popup read closed: a page had cut the popup off from this one (see `runPopupFlow`). */
  onSevered?: (() => void) | undefined;
  /** `retry` of a confirmation that failed: the `confirm_token` the element holds for the row. */
  confirmToken?: string;
}

/** The element's settings an action reads, and where it dispatches the contract's events. */
export interface ActionHost extends EventTarget {
  readonly vaultModal: VaultModal | undefined;
  readonly vaultUrl: string | undefined;
  readonly unifyBaseUrl: string | undefined;
  readonly callbackUrl: string | undefined;
  readonly flowTimeout: number | `${number}`;
  readonly locale: string;
}

/** What an action may read and change: the list is the connections controller's, changed only through these calls. */
export interface ActionContext {
  /** Every connection in the list. */
  connections(): readonly Connection[];
  client(): VaultClient;
  host(): ActionHost;
  /** The list's current value of a connection. */
  current(connection: Connection): Connection | undefined;
  replace(connection: Connection): void;
  remove(connection: Connection): void;
  /** The row stops showing progress (the user now works in a modal). */
  idle(connection: Connection): void;
  /**
   * Keeps a connection's `confirm_token` (in memory, for its 30 minutes) after its confirmation failed in a way a new
   * attempt may fix, so the row can complete it; `undefined` lets it go.
   */
  holdConfirmation(connection: Connection, token: string | undefined): void;
}
