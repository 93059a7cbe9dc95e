/**
 * The in-element confirmation before a disconnect: a native modal `<dialog>` (focus starts on Cancel and goes round
 * its buttons, Escape closes it), in a lazy chunk with its own constructable stylesheet (no inline style, so it works
 * under a strict CSP). Settles `true` only when the user confirms; the caller returns focus to the button that opened it.
 */
import { css, html, render } from 'lit';

export interface ConfirmText {
  title: string;
  body: string;
  confirm: string;
  cancel: string;
}

const styles = css`
  dialog {
    font: inherit;
    color: var(--_color-text);
    background: var(--_color-background);
    border: 1px solid var(--_color-border);
    border-radius: var(--_radius);
    padding: calc(var(--_spacing) * 1.5);
    max-width: min(28rem, calc(100vw - 2rem));
  }
  dialog::backdrop {
    background: rgb(0 0 0 / 0.4);
  }
  h2 {
    font-size: 1rem;
    margin: 0 0 0.5rem;
  }
  p {
    margin: 0 0 var(--_spacing);
    color: var(--_color-text-muted);
  }
  /* After the element's own button rules, which this sheet follows. */
  button.danger.solid {
    background: var(--_color-danger);
    border-color: var(--_color-danger);
    color: var(--_color-background);
  }
  .dialog-actions {
    display: flex;
    gap: 0.5rem;
    justify-content: flex-end;
  }
`;

export function confirmInDialog(root: ShadowRoot, text: ConfirmText): Promise<boolean> {
  const sheet = styles.styleSheet;
  if (sheet && !root.adoptedStyleSheets.includes(sheet)) root.adoptedStyleSheets = [...root.adoptedStyleSheets, sheet];
  const dialog = document.createElement('dialog');
  dialog.setAttribute('part', 'dialog');
  dialog.setAttribute('aria-labelledby', 'confirm-title');
  dialog.setAttribute('aria-describedby', 'confirm-body');
  render(
    html`<form method="dialog">
      <h2 id="confirm-title">${text.title}</h2>
      <p id="confirm-body">${text.body}</p>
      <div class="dialog-actions">
        <button part="button button-cancel" class="secondary" type="submit" value="cancel">${text.cancel}</button>
        <button part="button button-confirm" class="danger solid" type="submit" value="confirm" data-confirm>${text.confirm}</button>
      </div>
    </form>`,
    dialog,
  );
  root.append(dialog);
  // The element may have left the page while this chunk loaded: then there is nothing to confirm.
  if (!dialog.isConnected) {
    dialog.remove();
    return Promise.resolve(false);
  }
  // Tab and Shift+Tab go round the two buttons (a modal dialog alone lets focus leave for the browser's toolbar).
  dialog.addEventListener('keydown', (event) => {
    const buttons = dialog.querySelectorAll('button');
    const [first, last] = [buttons[0], buttons[buttons.length - 1]];
    if (event.key === 'Tab' && root.activeElement === (event.shiftKey ? first : last)) {
      event.preventDefault();
      (event.shiftKey ? last : first).focus();
    }
  });
  return new Promise((resolve) => {
    dialog.addEventListener(
      'close',
      () => {
        resolve(dialog.returnValue === 'confirm');
        dialog.remove();
      },
      { once: true },
    );
    dialog.showModal();
  });
}
