/**
 * A row's More menu: its other actions as `role="menuitem"` buttons that keep their `data-action`, drawn inside the row
 * while the menu is open. It is a manual popover, so it shows in the top layer above the list (which clips its rows)
 * while staying in the row's DOM: the list's delegated click listener runs its items like any row button. Its styles
 * are a constructable stylesheet adopted on first use (no inline style, so it works under a strict CSP).
 */
import { css, html, type TemplateResult } from 'lit';
import type { RowButtonAction } from '../api/connection-status.ts';
import type { ListStrings } from '../../i18n/en-list.ts';

const styles = css`
  .menu {
    position: fixed;
    inset: auto;
    margin: 0;
    min-width: 10rem;
    max-width: calc(100vw - 1rem);
    padding: 0.25rem;
    flex-direction: column;
    gap: 0.125rem;
    font: inherit;
    color: var(--_color-text);
    background: var(--_color-background);
    border: 1px solid var(--_color-border);
    border-radius: var(--_radius);
    box-shadow: 0 0.5rem 1.5rem rgb(0 0 0 / 0.18);
  }
  .menu:popover-open {
    display: flex;
  }
  .menu-item {
    text-align: start;
    border-color: transparent;
    background: transparent;
  }
  .menu-item:focus,
  .menu-item:enabled:hover {
    background: var(--_color-surface);
    filter: none;
  }
`;

/** Adopts the menu's stylesheet into the element's shadow root, once. */
export function adoptMenuStyles(root: ShadowRoot): void {
  const sheet = styles.styleSheet;
  if (sheet && !root.adoptedStyleSheets.includes(sheet)) root.adoptedStyleSheets = [...root.adoptedStyleSheets, sheet];
}

export function renderRowMenu(
  strings: ListStrings,
  actions: readonly RowButtonAction[],
  name: string,
  onKeydown: (event: KeyboardEvent) => void,
  onFocusout: (event: FocusEvent) => void,
): TemplateResult {
  return html`<div part="menu" class="menu" role="menu" aria-label=${strings.moreLabel(name)} popover="manual"
    @keydown=${onKeydown} @focusout=${onFocusout}>${actions.map(
      (action) => html`<button part="menu-item button-${action}" class=${action === 'disconnect' ? 'menu-item danger' : 'menu-item'}
        type="button" role="menuitem" tabindex="-1" data-action=${action}
        aria-label=${strings.actionLabel(strings.action[action], name)}>${strings.action[action]}</button>`,
    )}</div>`;
}
