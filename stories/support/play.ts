/**
 * Helpers for the stories' `play` functions: finding things in the element's shadow root by the stable hooks of the
 * public contract (`part`, `data-service-id`, `data-action`, `data-status`), waiting for states, and pressing keys.
 */
import { expect, userEvent, waitFor, within } from 'storybook/test';
import type { VaultConnect } from '../../src/index.ts';

/**
 * How long a `play` function waits for a state. The mock answers in 250 ms and the slowest state (a closed popup's
 * grace period) takes about 3 s; the margin is for a busy CI machine.
 */
export const WAIT = { timeout: 10_000 };

export function elementIn(canvasElement: HTMLElement): VaultConnect {
  const element = canvasElement.querySelector('vault-connect');
  if (!element) throw new Error('No <vault-connect> in the story');
  return element;
}

export function shadowOf(element: VaultConnect): ShadowRoot {
  if (!element.shadowRoot) throw new Error('<vault-connect> has no shadow root');
  return element.shadowRoot;
}

/** Testing Library queries inside the element's shadow root. */
export function inShadow(element: VaultConnect) {
  return within(shadowOf(element) as unknown as HTMLElement);
}

/** Testing Library queries for the whole page (the fake Vault modal and the stand-in popups live outside the element). */
export function onPage() {
  return within(document.body);
}

/** The element once its first list has rendered (a row of the Apideck list: the VaultRE row has no `data-key`). */
export async function readyElement(canvasElement: HTMLElement): Promise<VaultConnect> {
  const element = elementIn(canvasElement);
  await waitFor(() => expect(shadowOf(element).querySelector('[part="connection"][data-key]')).not.toBeNull(), WAIT);
  await element.updateComplete;
  return element;
}

export function rowOf(element: VaultConnect, serviceId: string): HTMLElement {
  const row = shadowOf(element).querySelector<HTMLElement>(`[part="connection"][data-service-id="${CSS.escape(serviceId)}"]`);
  if (!row) throw new Error(`No row for ${serviceId}`);
  return row;
}

/** The rows the user can see (search hides rows and groups with `hidden`). */
export function visibleRows(element: VaultConnect): HTMLElement[] {
  return [...shadowOf(element).querySelectorAll<HTMLElement>('[part="connection"]')].filter((row) => row.checkVisibility());
}

/** A row's visible button for `action` (its primary action, More, a retry; not an item of its More menu). */
export function buttonOf(row: HTMLElement, action: string): HTMLButtonElement {
  const button = row.querySelector<HTMLButtonElement>(`button[data-action="${action}"]:not([role="menuitem"])`);
  if (!button) throw new Error(`No ${action} button in the ${row.dataset.serviceId} row`);
  return button;
}

/** A row's visible buttons (`more` for its More button), in order. */
export function actionsOf(row: HTMLElement): string[] {
  return [...row.querySelectorAll<HTMLButtonElement>('[part="actions"] button[data-action]:not([role="menuitem"])')].map((b) => b.dataset.action ?? '');
}

/** A row's open More menu, if any. */
export function menuOf(row: HTMLElement): HTMLElement | null {
  return row.querySelector<HTMLElement>('[role="menu"]');
}

/** Opens a row's More menu with a click, and returns its items. */
export async function openMenu(row: HTMLElement): Promise<HTMLButtonElement[]> {
  if (!menuOf(row)) await userEvent.click(buttonOf(row, 'more'));
  await waitFor(() => expect(menuOf(row)).not.toBeNull(), WAIT);
  return [...menuOf(row)!.querySelectorAll<HTMLButtonElement>('[role="menuitem"]')];
}

/** The actions a row offers: its visible buttons (More aside), then its More menu's items (opened, then closed). */
export async function offeredActions(row: HTMLElement): Promise<string[]> {
  const visible = actionsOf(row).filter((action) => action !== 'more');
  if (!row.querySelector('button[data-action="more"]')) return visible;
  const items = (await openMenu(row)).map((item) => item.dataset.action ?? '');
  await userEvent.click(buttonOf(row, 'more'));
  await waitFor(() => expect(menuOf(row)).toBeNull(), WAIT);
  return [...visible, ...items];
}

/** Chooses an action as a user would: a click on its button, or on its item in the row's More menu. */
export async function chooseAction(row: HTMLElement, action: string): Promise<void> {
  const visible = row.querySelector<HTMLButtonElement>(`button[data-action="${action}"]:not([role="menuitem"])`);
  if (visible) {
    await userEvent.click(visible);
    return;
  }
  const item = (await openMenu(row)).find((candidate) => candidate.dataset.action === action);
  if (!item) throw new Error(`No ${action} in the ${row.dataset.serviceId} row's More menu`);
  await userEvent.click(item);
}

export function statusOf(row: HTMLElement): string | undefined {
  return row.querySelector<HTMLElement>('[part="badge"]')?.dataset.status;
}

/** Waits until a row shows `status`. */
export async function untilStatus(element: VaultConnect, serviceId: string, status: string): Promise<void> {
  await waitFor(() => expect(statusOf(rowOf(element, serviceId))).toBe(status), WAIT);
}

/**
 * Empties a text box as a user would (focus it, then Backspace per character): user-event's `clear()` cannot focus an
 * input inside a shadow root (it compares with `document.activeElement`, which is the host).
 */
export async function clearText(input: HTMLElement): Promise<void> {
  if (!(input instanceof HTMLInputElement)) throw new Error('clearText() takes an <input>');
  await userEvent.click(input);
  await userEvent.keyboard('{End}' + '{Backspace}'.repeat(input.value.length));
}

/** The element part that has keyboard focus (focus inside the shadow root). */
export function focused(element: VaultConnect): Element | null {
  return shadowOf(element).activeElement;
}

/** The open confirmation dialog of the element. */
export function openDialog(element: VaultConnect): HTMLDialogElement | null {
  return shadowOf(element).querySelector<HTMLDialogElement>('dialog[open]');
}

/** What the element's live region says. */
export function announcement(element: VaultConnect): string {
  return shadowOf(element).querySelector('[aria-live]')?.textContent?.trim() ?? '';
}

// ---------------------------------------------------------------------------------------------------------------------
// Keys

export type Key = 'Tab' | 'Shift+Tab' | 'Enter' | 'Space' | 'Escape' | 'ArrowDown' | 'ArrowUp' | 'ArrowRight' | 'Home' | 'End';

declare global {
  interface Window {
    /**
     * Set by the Storybook test harness (`.storybook/smoke.ts`): presses a key with real browser input (Chrome DevTools
     * Protocol), so Tab follows the browser's own focus order through shadow roots and Escape closes a modal dialog.
     */
    __storybookPressKey?: (key: string) => Promise<void>;
  }
}

const FOCUSABLE = 'button, input, select, textarea, a[href], [tabindex]';

/** Elements matching `selector` in tree order, into open shadow roots. */
function deepQueryAll(selector: string, root: Document | ShadowRoot = document, out: HTMLElement[] = []): HTMLElement[] {
  for (const node of root.querySelectorAll<HTMLElement>('*')) {
    if (node.matches(selector)) out.push(node);
    if (node.shadowRoot) deepQueryAll(selector, node.shadowRoot, out);
  }
  return out;
}

function deepActive(): Element | null {
  let active = document.activeElement;
  while (active?.shadowRoot?.activeElement) active = active.shadowRoot.activeElement;
  return active;
}

/**
 * Without the harness (in the Storybook UI), Tab moves focus as the browser would: user-event's Tab does not enter
 * shadow roots. Inside an open modal dialog only its own elements take part.
 */
function tabFallback(backwards: boolean): void {
  const modal = deepQueryAll('dialog').find((dialog) => dialog.matches(':modal'));
  const list = deepQueryAll(FOCUSABLE).filter(
    (node) => node.tabIndex >= 0 && !(node as HTMLButtonElement).disabled && node.checkVisibility() && (!modal || modal.contains(node)),
  );
  if (list.length === 0) return;
  const active = deepActive();
  const index = active instanceof HTMLElement ? list.indexOf(active) : -1;
  const next = backwards ? list[(index <= 0 ? list.length : index) - 1] : list[(index + 1) % list.length];
  next.focus();
}

/** Presses a key on whatever has focus: real input under the test harness, user-event (and a Tab fallback) elsewhere. */
export async function press(key: Key): Promise<void> {
  if (window.__storybookPressKey) {
    await window.__storybookPressKey(key === 'Space' ? ' ' : key);
    return;
  }
  switch (key) {
    case 'Tab':
    case 'Shift+Tab':
      tabFallback(key === 'Shift+Tab');
      return;
    case 'Escape': {
      // A synthetic Escape does not close a modal dialog; the browser's own Escape is a close request.
      const dialog = deepActive()?.closest('dialog');
      if (dialog?.open) {
        dialog.requestClose();
        return;
      }
      await userEvent.keyboard('{Escape}');
      return;
    }
    case 'Enter':
      await userEvent.keyboard('{Enter}');
      return;
    case 'Space':
      await userEvent.keyboard(' ');
      return;
    default:
      await userEvent.keyboard(`{${key}}`);
  }
}
