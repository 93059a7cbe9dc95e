import { css } from 'lit';

/**
 * Styles of `<vault-connect>` as the first load draws it; what only a row in use shows (progress, a failure, a
 * disabled button, the More menu) comes with the lazy chunks (`templates/row-in-use.ts`, `templates/row-menu.ts`). Every themable value is a public `--vc-*` custom property, read once on `:host` into a
 * private `--_*` one of the same name (`--vc-color-text` into `--_color-text`) with the default as its fallback: a
 * `--vc-*` value set on the element or inherited from any ancestor (`:root` included) wins, and the rules below read
 * only the private names. The library build shortens the private names (`scripts/vite-private-css-names.ts`).
 */
export const styles = css`
  :host {
    /*
     * Each colour is light-dark(light, dark): \`color-scheme\` picks one, so \`theme\` needs no second palette. \`auto\`
     * declares none and inherits the page's: a page that declares nothing is light, one with \`light dark\` follows the OS.
     */
    --_font-family: var(--vc-font-family, system-ui, sans-serif);
    --_font-size: var(--vc-font-size, 0.875rem);
    --_color-text: var(--vc-color-text, light-dark(#111827, #f3f4f6));
    --_color-text-muted: var(--vc-color-text-muted, light-dark(#4b5563, #9ca3af));
    --_color-background: var(--vc-color-background, light-dark(#ffffff, #111827));
    --_color-surface: var(--vc-color-surface, light-dark(#f9fafb, #1f2937));
    --_color-border: var(--vc-color-border, light-dark(#e5e7eb, #374151));
    --_color-primary: var(--vc-color-primary, light-dark(#4338ca, #a5b4fc));
    --_color-primary-text: var(--vc-color-primary-text, light-dark(#ffffff, #111827));
    --_color-danger: var(--vc-color-danger, light-dark(#b91c1c, #fca5a5));
    --_color-success-bg: var(--vc-color-success-bg, light-dark(#dcfce7, #14532d));
    --_color-success-fg: var(--vc-color-success-fg, light-dark(#166534, #bbf7d0));
    --_color-warning-bg: var(--vc-color-warning-bg, light-dark(#fef3c7, #78350f));
    --_color-warning-fg: var(--vc-color-warning-fg, light-dark(#92400e, #fde68a));
    --_color-danger-bg: var(--vc-color-danger-bg, light-dark(#fee2e2, #7f1d1d));
    --_color-danger-fg: var(--vc-color-danger-fg, light-dark(#991b1b, #fecaca));
    --_color-neutral-bg: var(--vc-color-neutral-bg, light-dark(#f3f4f6, #374151));
    --_color-neutral-fg: var(--vc-color-neutral-fg, light-dark(#374151, #e5e7eb));
    --_radius: var(--vc-radius, 0.5rem);
    --_spacing: var(--vc-spacing, 0.75rem);
    --_focus-ring: var(--vc-focus-ring, 0 0 0 2px var(--_color-background), 0 0 0 4px var(--_color-primary));

    display: block;
    font-family: var(--_font-family);
    font-size: var(--_font-size);
    line-height: 1.4;
    color: var(--_color-text);
    background: var(--_color-background);
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
    gap: var(--_spacing);
    align-items: center;
    margin-block-end: var(--_spacing);
  }

  input[type='search'] {
    flex: 1;
    min-width: 0;
    font: inherit;
    color: inherit;
    background: var(--_color-background);
    /* The box's only outline: 3:1 against the background (WCAG 1.4.11), so not the faint divider colour. */
    border: 1px solid var(--_color-text-muted);
    border-radius: var(--_radius);
    padding: 0.5rem 0.75rem;
  }

  input::placeholder {
    color: var(--_color-text-muted);
  }

  h3 {
    font-size: 0.75rem;
    font-weight: 600;
    text-transform: uppercase;
    letter-spacing: 0.04em;
    color: var(--_color-text-muted);
    margin: calc(var(--_spacing) * 1.5) 0 calc(var(--_spacing) / 2);
  }

  /* Not clipped: a row's tag line may show whole over the row below it (row-in-use.ts). */
  ul {
    list-style: none;
    margin: 0;
    padding: 0;
    border: 1px solid var(--_color-border);
    border-radius: var(--_radius);
  }

  .row {
    display: grid;
    grid-template-columns: auto 1fr auto auto;
    align-items: center;
    gap: var(--_spacing);
    padding: var(--_spacing);
    content-visibility: auto;
    contain-intrinsic-size: auto 4rem;
  }

  .row + .row {
    border-block-start: 1px solid var(--_color-border);
  }

  .icon {
    position: relative;
    display: grid;
    place-items: center;
    width: 2.5rem;
    height: 2.5rem;
    border-radius: var(--_radius);
    background: var(--_color-surface);
    border: 1px solid var(--_color-border);
    overflow: hidden;
  }

  .icon img {
    position: absolute;
    inset: 0;
    width: 100%;
    height: 100%;
    object-fit: contain;
    background: var(--_color-background);
  }

  .monogram {
    font-weight: 600;
    color: var(--_color-text-muted);
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
    color: var(--_color-text-muted);
    overflow: hidden;
    text-overflow: ellipsis;
    white-space: nowrap;
  }

  .badge {
    justify-self: end;
    white-space: nowrap;
    font-size: 0.75rem;
    font-weight: 600;
    padding: 0.125rem 0.5rem;
    border-radius: 999px;
    background: var(--_color-neutral-bg);
    color: var(--_color-neutral-fg);
  }

  .badge[data-tone='success'] {
    background: var(--_color-success-bg);
    color: var(--_color-success-fg);
  }

  .badge[data-tone='warning'] {
    background: var(--_color-warning-bg);
    color: var(--_color-warning-fg);
  }

  .badge[data-tone='danger'] {
    background: var(--_color-danger-bg);
    color: var(--_color-danger-fg);
  }

  .actions {
    display: flex;
    flex-wrap: wrap;
    gap: 0.5rem;
    justify-content: flex-end;
    align-items: center;
  }

  button {
    font: inherit;
    font-weight: 500;
    cursor: pointer;
    border-radius: var(--_radius);
    padding: 0.375rem 0.75rem;
    border: 1px solid var(--_color-border);
    background: var(--_color-background);
    color: var(--_color-text);
  }

  button.primary {
    background: var(--_color-primary);
    border-color: var(--_color-primary);
    color: var(--_color-primary-text);
  }

  button:focus-visible,
  input:focus-visible {
    /* Transparent, not none: forced-colors mode drops the shadow and paints this outline instead. */
    outline: 2px solid transparent;
    box-shadow: var(--_focus-ring);
  }

  .state {
    padding: calc(var(--_spacing) * 2);
    text-align: center;
    color: var(--_color-text-muted);
    border: 1px dashed var(--_color-border);
    border-radius: var(--_radius);
  }

  .state.error {
    color: var(--_color-text);
    border-style: solid;
    border-color: var(--_color-danger);
  }

  .state p {
    margin: 0 0 var(--_spacing);
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
    background: var(--_color-surface);
  }

  .skeleton .bar + .bar {
    width: 70%;
  }

  @media (max-width: 36rem) {
    .row {
      grid-template-columns: auto 1fr;
    }
    /* No hover on a phone: the tag line wraps in full. */
    .tag-line,
    .hint {
      white-space: normal;
    }
    .badge,
    .actions {
      grid-column: 2;
      justify-self: start;
      justify-content: flex-start;
    }
  }
`;
