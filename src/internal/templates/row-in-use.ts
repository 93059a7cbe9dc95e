/**
 * How a row in use looks: with the pointer over it or focus in it, its tag line shows whole, wrapped, over the row
 * below, so that no neighbour moves (the first load draws tag lines on one line, cut with an ellipsis, or wrapped in
 * full on a narrow screen); and what only an action shows: its progress, a failure, busy (disabled) buttons, the
 * destructive item. This constructable stylesheet comes with the chunks that draw those (the interactions, the VaultRE
 * row), and works under a strict CSP (no inline style). It follows the element's own sheet, so it wins ties.
 */
import { css } from 'lit';

const styles = css`
  .progress {
    color: var(--_color-text-muted);
  }
  .row-error {
    color: var(--_color-danger);
  }
  button.danger {
    color: var(--_color-danger);
  }
  /* One hover for every button in both themes: contrast(.9) moves white and near-black alike towards grey. */
  button:enabled:hover {
    filter: contrast(0.9);
  }
  button:disabled {
    cursor: not-allowed;
    opacity: 0.6;
  }
  /* Apart from a group above it (the VaultRE row's). */
  section + .state {
    margin-block-start: var(--_spacing);
  }
  /* The tag line leaves the flow at its place, over the row below; the column keeps its line. */
  @media (width > 36rem) {
    .row:is(:hover, :focus-within) {
      content-visibility: visible;
    }
    .row:is(:hover, :focus-within) .text {
      position: relative;
    }
    .row:is(:hover, :focus-within) .text:has(> .tag-line:not(:empty)) {
      padding-block-end: 1lh;
    }
    .row:is(:hover, :focus-within) .tag-line:not(:empty) {
      position: absolute;
      /* On the line the column keeps for it (a flex item out of the flow would go to the column's top). */
      inset-block-start: calc(100% - 1lh);
      inset-inline: 0;
      z-index: 1;
      white-space: normal;
      background: var(--_color-background);
      padding-block-end: 0.25rem;
    }
  }
`;

/** Adopts the stylesheet into the element's shadow root, once. */
export function adoptRowInUseStyles(root: ShadowRoot): void {
  const sheet = styles.styleSheet;
  if (sheet && !root.adoptedStyleSheets.includes(sheet)) root.adoptedStyleSheets = [...root.adoptedStyleSheets, sheet];
}
