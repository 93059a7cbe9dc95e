/**
 * Keeps the list true without a reload (a chunk, loaded once the first list is shown): the list is read again,
 * quietly, when the page becomes visible after being hidden for a minute or more, or when the window regains focus
 * after 30 seconds or more away. Then `vault-connection-change` fires for each connection that changed or is new, and
 * `vault-connection-delete` for each one that went (see `listChanges`). Its listeners on `document` and `window` are
 * added on connect and removed on disconnect.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { listChanges } from '../api/connection-changes.ts';
import type { Connection } from '../api/schemas.ts';
import { VaultConnectionChangeEvent } from '../../events/vault-connection-change.ts';
import { VaultConnectionDeleteEvent } from '../../events/vault-connection-delete.ts';

/** How long the page must have been hidden for its return to read the list again. */
export const HIDDEN_FOR_MS = 60_000;
/** How long the window must have been without focus for its return to read the list again. */
export const AWAY_FOR_MS = 30_000;

export type FreshnessHost = ReactiveControllerHost & EventTarget;

/** The list this controller keeps fresh: the connections controller. */
export interface FreshList {
  readonly connections: readonly Connection[];
  /** With `quiet`, reads the list again without the skeleton; `false` when it did not (see `ConnectionsController.load`). */
  load(quiet: true): Promise<boolean>;
}

export class FreshnessController implements ReactiveController {
  readonly #host: FreshnessHost;
  readonly #list: FreshList;
  #listening: AbortController | undefined;
  /** When (`performance.now()`) the page was hidden, and when the window lost focus; undefined while it has it. */
  #hiddenAt: number | undefined;
  #blurredAt: number | undefined;

  constructor(host: FreshnessHost, list: FreshList) {
    this.#host = host;
    this.#list = list;
    // Lit calls `hostConnected` at once when the host is already connected.
    host.addController(this);
  }

  hostConnected(): void {
    this.#listening?.abort();
    const listening = (this.#listening = new AbortController());
    const options = { signal: listening.signal };
    document.addEventListener('visibilitychange', this.#onVisibilityChange, options);
    window.addEventListener('blur', this.#onBlur, options);
    window.addEventListener('focus', this.#onFocus, options);
    this.#hiddenAt = document.visibilityState === 'hidden' ? performance.now() : undefined;
    this.#blurredAt = undefined;
  }

  hostDisconnected(): void {
    this.#listening?.abort();
    this.#listening = undefined;
  }

  #onVisibilityChange = (): void => {
    if (document.visibilityState === 'hidden') {
      this.#hiddenAt ??= performance.now();
      return;
    }
    const hiddenAt = this.#hiddenAt;
    this.#hiddenAt = undefined;
    if (hiddenAt !== undefined && performance.now() - hiddenAt >= HIDDEN_FOR_MS) void this.#reread();
  };

  #onBlur = (): void => {
    this.#blurredAt ??= performance.now();
  };

  #onFocus = (): void => {
    const blurredAt = this.#blurredAt;
    this.#blurredAt = undefined;
    // Coming back to a page both shows it and focuses it: the first re-read is still on its way, so the second is skipped.
    if (blurredAt !== undefined && performance.now() - blurredAt >= AWAY_FOR_MS) void this.#reread();
  };

  async #reread(): Promise<void> {
    const before = this.#list.connections;
    if (!(await this.#list.load(true))) return;
    // The rows change first; then the events say what changed, with the API's values.
    await this.#host.updateComplete;
    const { changed, deleted } = listChanges(before, this.#list.connections);
    for (const connection of changed) this.#host.dispatchEvent(new VaultConnectionChangeEvent({ connection }));
    for (const connection of deleted) this.#host.dispatchEvent(new VaultConnectionDeleteEvent({ connection }));
  }
}
