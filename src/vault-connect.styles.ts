import { css } from 'lit';

/** Styles of `<vault-connect>`; every themable value is a custom property on `:host`. */
export const styles = css`
  :host {
    /* Each colour is light-dark(light, dark): \`color-scheme\` below picks one, so \`theme\` needs no second palette. */
    --vc-font-family: system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif;
    --vc-font-size: 0.875rem;
    --vc-color-text: light-dark(#111827, #f3f4f6);
    --vc-color-text-muted: light-dark(#4b5563, #9ca3af);
    --vc-color-background: light-dark(#ffffff, #111827);
    --vc-color-surface: light-dark(#f9fafb, #1f2937);
    --vc-color-border: light-dark(#e5e7eb, #374151);
    --vc-color-primary: light-dark(#4338ca, #a5b4fc);
    --vc-color-primary-text: light-dark(#ffffff, #111827);
    --vc-color-danger: light-dark(#b91c1c, #fca5a5);
    --vc-color-success-bg: light-dark(#dcfce7, #14532d);
    --vc-color-success-fg: light-dark(#166534, #bbf7d0);
    --vc-color-warning-bg: light-dark(#fef3c7, #78350f);
    --vc-color-warning-fg: light-dark(#92400e, #fde68a);
    --vc-color-danger-bg: light-dark(#fee2e2, #7f1d1d);
    --vc-color-danger-fg: light-dark(#991b1b, #fecaca);
    --vc-color-neutral-bg: light-dark(#f3f4f6, #374151);
    --vc-color-neutral-fg: light-dark(#374151, #e5e7eb);
    --vc-radius: 0.5rem;
    --vc-spacing: 0.75rem;
    --vc-focus-ring: 0 0 0 2px var(--vc-color-background), 0 0 0 4px var(--vc-color-primary);

    display: block;
    color-scheme: light dark;
    font-family: var(--vc-font-family);
    font-size: var(--vc-font-size);
    line-height: 1.4;
    color: var(--vc-color-text);
    background: var(--vc-color-background);
  }

  :host([theme='light']) {
    color-scheme: light;
  }

  :host([theme='dark']) {
    color-scheme: dark;
  }

  :host([hidden]) {
    display: none;
  }

  *,
  *::before,
  *::after {
    box-sizing: border-box;
  }

  [hidden] {
    display: none !important;
  }

  .visually-hidden {
    position: absolute;
    width: 1px;
    height: 1px;
    overflow: hidden;
    clip-path: inset(50%);
    white-space: nowrap;
  }

  .toolbar {
    display: flex;
    gap: var(--vc-spacing);
    align-items: center;
    margin-block-end: var(--vc-spacing);
  }

  input[type='search'] {
    flex: 1;
    min-width: 0;
    font: inherit;
    color: inherit;
    background: var(--vc-color-background);
    /* The box's only outline: 3:1 against the background (WCAG 1.4.11), so not the faint divider colour. */
    border: 1px solid var(--vc-color-text-muted);
    border-radius: var(--vc-radius);
    padding: 0.5rem 0.75rem;
  }

  input::placeholder {
    color: var(--vc-color-text-muted);
  }

  h3 {
    font-size: 0.75rem;
    font-weight: 600;
    text-transform: uppercase;
    letter-spacing: 0.04em;
    color: var(--vc-color-text-muted);
    margin: calc(var(--vc-spacing) * 1.5) 0 calc(var(--vc-spacing) / 2);
  }

  ul {
    list-style: none;
    margin: 0;
    padding: 0;
    border: 1px solid var(--vc-color-border);
    border-radius: var(--vc-radius);
    overflow: hidden;
  }

  .row {
    display: grid;
    grid-template-columns: auto 1fr auto auto;
    align-items: center;
    gap: var(--vc-spacing);
    padding: var(--vc-spacing);
    background: var(--vc-color-background);
    content-visibility: auto;
    contain-intrinsic-size: auto 4rem;
  }

  .row + .row {
    border-block-start: 1px solid var(--vc-color-border);
  }

  .icon {
    position: relative;
    display: grid;
    place-items: center;
    width: 2.5rem;
    height: 2.5rem;
    border-radius: var(--vc-radius);
    background: var(--vc-color-surface);
    border: 1px solid var(--vc-color-border);
    overflow: hidden;
  }

  .icon img {
    position: absolute;
    inset: 0;
    width: 100%;
    height: 100%;
    object-fit: contain;
    background: var(--vc-color-background);
  }

  .monogram {
    font-weight: 600;
    color: var(--vc-color-text-muted);
  }

  .text {
    display: flex;
    flex-direction: column;
    min-width: 0;
  }

  .name {
    font-weight: 600;
  }

  .tag-line,
  .hint {
    color: var(--vc-color-text-muted);
    overflow: hidden;
    text-overflow: ellipsis;
    white-space: nowrap;
  }

  .row-error {
    color: var(--vc-color-danger);
  }

  .badge {
    justify-self: end;
    white-space: nowrap;
    font-size: 0.75rem;
    font-weight: 600;
    padding: 0.125rem 0.5rem;
    border-radius: 999px;
    background: var(--vc-color-neutral-bg);
    color: var(--vc-color-neutral-fg);
  }

  .badge[data-tone='success'] {
    background: var(--vc-color-success-bg);
    color: var(--vc-color-success-fg);
  }

  .badge[data-tone='warning'] {
    background: var(--vc-color-warning-bg);
    color: var(--vc-color-warning-fg);
  }

  .badge[data-tone='danger'] {
    background: var(--vc-color-danger-bg);
    color: var(--vc-color-danger-fg);
  }

  .actions {
    display: flex;
    flex-wrap: wrap;
    gap: 0.5rem;
    justify-content: flex-end;
    align-items: center;
  }

  .progress {
    color: var(--vc-color-text-muted);
  }

  button {
    font: inherit;
    font-weight: 500;
    cursor: pointer;
    border-radius: var(--vc-radius);
    padding: 0.375rem 0.75rem;
    border: 1px solid var(--vc-color-border);
    background: var(--vc-color-background);
    color: var(--vc-color-text);
  }

  button.primary {
    background: var(--vc-color-primary);
    border-color: var(--vc-color-primary);
    color: var(--vc-color-primary-text);
  }

  button.danger {
    color: var(--vc-color-danger);
  }

  /* One hover for every button in both themes: contrast(.9) moves white and near-black alike towards grey. */
  button:enabled:hover {
    filter: contrast(0.9);
  }

  button:disabled {
    cursor: not-allowed;
    opacity: 0.6;
  }

  button:focus-visible,
  input:focus-visible {
    /* Transparent, not none: forced-colors mode drops the shadow and paints this outline instead. */
    outline: 2px solid transparent;
    box-shadow: var(--vc-focus-ring);
  }

  .state {
    padding: calc(var(--vc-spacing) * 2);
    text-align: center;
    color: var(--vc-color-text-muted);
    border: 1px dashed var(--vc-color-border);
    border-radius: var(--vc-radius);
  }

  .state.error {
    color: var(--vc-color-text);
    border-style: solid;
    border-color: var(--vc-color-danger);
  }

  .state p {
    margin: 0 0 var(--vc-spacing);
  }

  .state strong {
    display: block;
    margin-block-end: 0.25rem;
  }

  .skeleton .bar {
    display: block;
    height: 0.75rem;
    width: 40%;
    border-radius: 0.25rem;
    margin-block: 0.25rem;
    background: var(--vc-color-surface);
  }

  .skeleton .bar + .bar {
    width: 70%;
  }

  @media (max-width: 36rem) {
    .row {
      grid-template-columns: auto 1fr;
    }
    .badge,
    .actions {
      grid-column: 2;
      justify-self: start;
      justify-content: flex-start;
    }
  }
`;
