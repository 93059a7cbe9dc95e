/**
 * The element's handle on its row actions: the list's delegated click listener, and the interactions chunk behind it
 * (`row-interactions.ts`, with the `ActionsController` that owns the rows' action state). The chunk is fetched when a
 * pointer or focus first reaches the list, so a page whose user only reads the list never loads it; until then no row
 * has an action in progress.
 */
import type { Connection } from '../api/schemas.ts';
import type { RowAction } from '../api/vocabulary.ts';
import type { RowActivityView } from '../templates/connection-row.ts';
import type { ActionList } from './actions-controller.ts';
import type { InteractionHost, InteractionServices, RowInteractions } from './row-interactions.ts';

export class LazyInteractions {
  readonly #host: InteractionHost;
  readonly #list: ActionList;
  readonly #services: InteractionServices;
  #interactions: RowInteractions | undefined;

  constructor(host: InteractionHost, list: ActionList, services: InteractionServices) {
    this.#host = host;
    this.#list = list;
    this.#services = services;
  }

  /** A pointer over the list or focus in it: fetch what the first click needs (were it still on its way, the click waits). */
  prefetch = (): void => void this.#load().catch(() => undefined);

  /** The list's click listener: a row button (or an item of its More menu) runs its action; More opens its menu. */
  onClick = (event: Event): void => {
    const button = (event.target as Element).closest<HTMLButtonElement>('button[data-action]');
    const key = button?.closest<HTMLElement>('[data-key]')?.dataset.key;
    if (!button || key === undefined || button.disabled) return;
    // Synchronous into the chunk when it is in: a popup must open inside the click.
    if (this.#interactions) this.#interactions.click(button, key);
    else void this.#load().then((interactions) => interactions.click(button, key), () => undefined);
  };


  /**
   * Runs a row action. The chunk is normally in by the click, so this runs synchronously into it (a popup must open
   * there); were it still on its way, a popup may be blocked, and the row then offers a retry.
   */
  async run(connection: Connection, action: RowAction, sameTab: boolean): Promise<void> {
    return (this.#interactions ?? (await this.#load())).run(connection, action, sameTab);
  }

  /** `openConnection()`, in the chunk (synchronously into it when it is in, as `run`). */
  async open(serviceId: string, unifiedApi?: string): Promise<void> {
    return (this.#interactions ?? (await this.#load())).open(serviceId, unifiedApi);
  }

  /** What the row of `key` shows of its actions and its More menu, once any ran or it opened. */
  activity(key: string): RowActivityView | undefined {
    return this.#interactions?.view(key);
  }

  /** A new list replaced the old one: its rows' errors are moot. */
  clearErrors(): void {
    this.#interactions?.actions.clearErrors();
  }

  /** Ends the flow in progress, if any. */
  cancel(): void {
    this.#interactions?.actions.cancel();
  }

  /** Finishes a same-tab flow that the callback page brought back to this page. */
  resume(): void {
    void this.#load().then((interactions) => interactions.actions.resumeSameTab(), () => undefined);
  }

  async #load(): Promise<RowInteractions> {
    const { RowInteractions } = await import('./row-interactions.ts');
    return (this.#interactions ??= new RowInteractions(this.#host, this.#list, this.#services));
  }
}
