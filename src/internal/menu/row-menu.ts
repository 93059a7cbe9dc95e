/**
 * The rows' More menus, one open at a time, following the WAI-ARIA menu-button pattern: Enter, Space or a click on the
 * trigger opens the menu on its first item (Arrow Down too; Arrow Up on its last); in the menu the arrow keys move
 * round the items, Home and End go to the ends, a letter goes to the next item starting with it, Escape closes it and
 * returns focus to the trigger, Tab closes it and moves on, and a click outside closes it. Listeners on the page are
 * added when a menu opens and removed when it closes or the element disconnects.
 */
import type { ReactiveController, ReactiveControllerHost, TemplateResult } from 'lit';
import type { RowButtonAction } from '../api/connection-status.ts';
import type { ListStrings } from '../../i18n/en-list.ts';
import { adoptMenuStyles, renderRowMenu } from '../templates/row-menu.ts';

export interface MenuHost extends ReactiveControllerHost {
  readonly renderRoot: HTMLElement | DocumentFragment;
}

/** Where focus goes when a menu opens. */
export type MenuFocus = 'first' | 'last';

/** Space between the trigger and the menu, and between the menu and the viewport's edges (px). */
const GAP = 4;

/** The item that a key moves focus to from item `index` of `count`, or `undefined` for a key the menu leaves alone. */
export function menuKeyTarget(key: string, index: number, count: number): number | undefined {
  switch (key) {
    case 'ArrowDown':
      return (index + 1) % count;
    case 'ArrowUp':
      return (index - 1 + count) % count;
    case 'Home':
    case 'PageUp':
      return 0;
    case 'End':
    case 'PageDown':
      return count - 1;
    default:
      return undefined;
  }
}

export class RowMenu implements ReactiveController {
  readonly #host: MenuHost;
  readonly #strings: () => ListStrings;
  readonly #rowOf: (key: string) => Element | null;
  readonly #keyOf: (trigger: Element) => string | undefined;
  /** The key of the row whose menu is open. */
  #openKey: string | undefined;
  /** Where focus goes once the open menu is drawn. */
  #focus: MenuFocus | undefined;
  /** The page listeners of the open menu. */
  #listeners: AbortController | undefined;
  #frame = 0;
  /** A press on the open menu's trigger is under way: the focus it takes from the menu must not close it first. */
  #triggerPressed = false;

  /**
   * `rowOf` finds the row of a key: the element holding the trigger and, while it is open, the menu; `keyOf` the key of
   * a trigger's row, if the row is one of this menu's.
   */
  constructor(
    host: MenuHost,
    strings: () => ListStrings,
    rowOf: (key: string) => Element | null,
    keyOf: (trigger: Element) => string | undefined,
  ) {
    this.#host = host;
    this.#strings = strings;
    this.#rowOf = rowOf;
    this.#keyOf = keyOf;
    host.addController(this);
  }

  /** The key of the row whose menu is open, if any. */
  get openKey(): string | undefined {
    return this.#openKey;
  }

  /** How the row of `key` draws its menu, while it is open. */
  renderer(key: string): ((actions: readonly RowButtonAction[], name: string) => TemplateResult) | undefined {
    if (key !== this.#openKey) return undefined;
    return (actions, name) => renderRowMenu(this.#strings(), actions, name, this.#onKeydown, this.#onFocusout);
  }

  /** The trigger's click: opens the row's menu, or closes it when it is open. */
  toggle(key: string): void {
    this.#triggerPressed = false;
    if (this.#openKey === key) this.close(true);
    else this.open(key, 'first');
  }

  open(key: string, focus: MenuFocus): void {
    if (this.#openKey !== undefined && this.#openKey !== key) this.close(false);
    adoptMenuStyles(this.#host.renderRoot as ShadowRoot);
    this.#openKey = key;
    this.#focus = focus;
    this.#listen();
    this.#host.requestUpdate();
  }

  /** Closes the open menu; `returnFocus` puts focus back on its trigger (Escape, or an item chosen). */
  close(returnFocus: boolean): void {
    const key = this.#openKey;
    if (key === undefined) return;
    const trigger = this.#trigger(key);
    // The next render removes the menu, which hides it: `hidePopover()` here could pull focus back into it.
    this.#openKey = this.#focus = undefined;
    this.#listeners?.abort();
    this.#listeners = undefined;
    cancelAnimationFrame(this.#frame);
    this.#frame = 0;
    if (returnFocus) trigger?.focus();
    this.#host.requestUpdate();
  }

  /** Arrow Down or Up on a trigger opens its menu (its code came with the focus that reached the list). */
  hostConnected(): void {
    this.#host.renderRoot.addEventListener('keydown', this.#onTriggerKeydown);
  }

  hostUpdated(): void {
    const key = this.#openKey;
    if (key === undefined) return;
    const menu = this.#menu(key);
    const trigger = this.#trigger(key);
    // The row is gone (a new list, a windowed row scrolled away) or busy: the menu has nothing left to offer.
    if (!menu || !trigger || trigger.disabled) {
      this.close(false);
      return;
    }
    if (!menu.matches(':popover-open')) menu.showPopover();
    this.#place(menu, trigger);
    if (this.#focus) {
      const items = this.#items(menu);
      items[this.#focus === 'first' ? 0 : items.length - 1]?.focus();
      this.#focus = undefined;
    }
  }

  hostDisconnected(): void {
    this.#host.renderRoot.removeEventListener('keydown', this.#onTriggerKeydown);
    this.#listeners?.abort();
    this.#listeners = undefined;
    this.#openKey = this.#focus = undefined;
    cancelAnimationFrame(this.#frame);
    this.#frame = 0;
  }

  #menu(key: string): HTMLElement | null | undefined {
    return this.#rowOf(key)?.querySelector<HTMLElement>('[role="menu"]');
  }

  #trigger(key: string): HTMLButtonElement | null | undefined {
    return this.#rowOf(key)?.querySelector<HTMLButtonElement>('button[data-action="more"]');
  }

  #items(menu: HTMLElement): HTMLButtonElement[] {
    return [...menu.querySelectorAll<HTMLButtonElement>('[role="menuitem"]:not(:disabled)')];
  }

  #listen(): void {
    if (this.#listeners) return;
    this.#listeners = new AbortController();
    const { signal } = this.#listeners;
    // A press anywhere but on the menu or its trigger closes it (the trigger's own click toggles it).
    document.addEventListener(
      'pointerdown',
      (event) => {
        const key = this.#openKey ?? '';
        const path = event.composedPath();
        const menu = this.#menu(key);
        const trigger = this.#trigger(key);
        this.#triggerPressed = !!trigger && path.includes(trigger);
        if (this.#triggerPressed || (menu && path.includes(menu))) return;
        this.close(false);
      },
      { capture: true, signal },
    );
    // The menu sits in the top layer, placed by its trigger: follow the trigger when the page scrolls or resizes.
    const follow = () => {
      this.#frame ||= requestAnimationFrame(() => {
        this.#frame = 0;
        const key = this.#openKey ?? '';
        const menu = this.#menu(key);
        const trigger = this.#trigger(key);
        if (menu && trigger) this.#place(menu, trigger);
      });
    };
    window.addEventListener('scroll', follow, { capture: true, passive: true, signal });
    window.addEventListener('resize', follow, { passive: true, signal });
  }

  /** Below the trigger, aligned with its inline end (above it when there is no room below), within the viewport. */
  #place(menu: HTMLElement, trigger: HTMLElement): void {
    const box = trigger.getBoundingClientRect();
    const width = menu.offsetWidth;
    const height = menu.offsetHeight;
    const viewportWidth = document.documentElement.clientWidth;
    const viewportHeight = document.documentElement.clientHeight;
    const rtl = getComputedStyle(trigger).direction === 'rtl';
    let top = box.bottom + GAP;
    if (top + height > viewportHeight - GAP && box.top - GAP - height >= GAP) top = box.top - GAP - height;
    const left = Math.max(GAP, Math.min(rtl ? box.left : box.right - width, viewportWidth - width - GAP));
    // Through the CSSOM, which a `style-src` without 'unsafe-inline' allows (a style attribute it would refuse).
    menu.style.top = `${Math.round(top)}px`;
    menu.style.left = `${Math.round(left)}px`;
  }

  #onTriggerKeydown = (event: Event): void => {
    const { key } = event as KeyboardEvent;
    const target = event.target as Element;
    if ((key !== 'ArrowDown' && key !== 'ArrowUp') || !target.matches('button[data-action="more"]:enabled')) return;
    const row = this.#keyOf(target);
    if (row === undefined) return;
    event.preventDefault();
    this.open(row, key === 'ArrowUp' ? 'last' : 'first');
  };

  /** Focus left the menu (Tab, Shift+Tab): it closes behind it. Focus going nowhere (the window blurred) keeps it. */
  #onFocusout = (event: FocusEvent): void => {
    const next = event.relatedTarget;
    if (this.#triggerPressed && next === this.#trigger(this.#openKey ?? '')) return;
    if (next instanceof Node && !(event.currentTarget as HTMLElement).contains(next)) this.close(false);
  };

  #onKeydown = (event: KeyboardEvent): void => {
    const menu = event.currentTarget as HTMLElement;
    const items = this.#items(menu);
    const index = items.indexOf(event.target as HTMLButtonElement);
    if (event.key === 'Escape') {
      // The element may sit in the host's own dialog: Escape closes only the menu.
      event.preventDefault();
      event.stopPropagation();
      this.close(true);
      return;
    }
    let target = menuKeyTarget(event.key, index, items.length);
    if (target === undefined && event.key.length === 1 && !event.ctrlKey && !event.metaKey && !event.altKey && event.key !== ' ') {
      // Type-ahead: the next item whose label starts with the letter.
      const letter = event.key.toLocaleLowerCase();
      for (let step = 1; step <= items.length && target === undefined; step++) {
        const candidate = (index + step) % items.length;
        if (items[candidate].textContent?.trim().toLocaleLowerCase().startsWith(letter)) target = candidate;
      }
      if (target === undefined) return;
    }
    if (target === undefined) return;
    event.preventDefault();
    items[target]?.focus();
  };
}
