import { css } from 'lit';

/**
 * Styles of `<vault-connect>`. Every themable value is a public `--vc-*` custom property, read once on `:host` into a
 * private `--_*` one with the default as its fallback: a `--vc-*` value set on the element or inherited from any
 * ancestor (`:root` included) wins, and the rules below read only the private names. Those are two letters each
 * because the first load's size budget is tight: ff/fs font family/size; tx/mu text/muted text; bg background;
 * sf surface; bd border; pr/pt primary/its text; dg danger; sb/sc success bg/fg; wb/wf warning; db/df danger badge;
 * nb/nf neutral badge; r radius; sp spacing; fr focus ring.
 */
export const styles = css`
  :host {
    /* Each colour is light-dark(light, dark): \`color-scheme\` below picks one, so \`theme\` needs no second palette. */
    --_ff: var(--vc-font-family, system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif);
    --_fs: var(--vc-font-size, 0.875rem);
    --_tx: var(--vc-color-text, light-dark(#111827, #f3f4f6));
    --_mu: var(--vc-color-text-muted, light-dark(#4b5563, #9ca3af));
    --_bg: var(--vc-color-background, light-dark(#ffffff, #111827));
    --_sf: var(--vc-color-surface, light-dark(#f9fafb, #1f2937));
    --_bd: var(--vc-color-border, light-dark(#e5e7eb, #374151));
    --_pr: var(--vc-color-primary, light-dark(#4338ca, #a5b4fc));
    --_pt: var(--vc-color-primary-text, light-dark(#ffffff, #111827));
    --_dg: var(--vc-color-danger, light-dark(#b91c1c, #fca5a5));
    --_sb: var(--vc-color-success-bg, light-dark(#dcfce7, #14532d));
    --_sc: var(--vc-color-success-fg, light-dark(#166534, #bbf7d0));
    --_wb: var(--vc-color-warning-bg, light-dark(#fef3c7, #78350f));
    --_wf: var(--vc-color-warning-fg, light-dark(#92400e, #fde68a));
    --_db: var(--vc-color-danger-bg, light-dark(#fee2e2, #7f1d1d));
    --_df: var(--vc-color-danger-fg, light-dark(#991b1b, #fecaca));
    --_nb: var(--vc-color-neutral-bg, light-dark(#f3f4f6, #374151));
    --_nf: var(--vc-color-neutral-fg, light-dark(#374151, #e5e7eb));
    --_r: var(--vc-radius, 0.5rem);
    --_sp: var(--vc-spacing, 0.75rem);
    --_fr: var(--vc-focus-ring, 0 0 0 2px var(--_bg), 0 0 0 4px var(--_pr));

    display: block;
    color-scheme: light dark;
    font-family: var(--_ff);
    font-size: var(--_fs);
    line-height: 1.4;
    color: var(--_tx);
    background: var(--_bg);
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
    gap: var(--_sp);
    align-items: center;
    margin-block-end: var(--_sp);
  }

  input[type='search'] {
    flex: 1;
    min-width: 0;
    font: inherit;
    color: inherit;
    background: var(--_bg);
    /* The box's only outline: 3:1 against the background (WCAG 1.4.11), so not the faint divider colour. */
    border: 1px solid var(--_mu);
    border-radius: var(--_r);
    padding: 0.5rem 0.75rem;
  }

  input::placeholder {
    color: var(--_mu);
  }

  h3 {
    font-size: 0.75rem;
    font-weight: 600;
    text-transform: uppercase;
    letter-spacing: 0.04em;
    color: var(--_mu);
    margin: calc(var(--_sp) * 1.5) 0 calc(var(--_sp) / 2);
  }

  ul {
    list-style: none;
    margin: 0;
    padding: 0;
    border: 1px solid var(--_bd);
    border-radius: var(--_r);
    overflow: hidden;
  }

  .row {
    display: grid;
    grid-template-columns: auto 1fr auto auto;
    align-items: center;
    gap: var(--_sp);
    padding: var(--_sp);
    background: var(--_bg);
    content-visibility: auto;
    contain-intrinsic-size: auto 4rem;
  }

  .row + .row {
    border-block-start: 1px solid var(--_bd);
  }

  .icon {
    position: relative;
    display: grid;
    place-items: center;
    width: 2.5rem;
    height: 2.5rem;
    border-radius: var(--_r);
    background: var(--_sf);
    border: 1px solid var(--_bd);
    overflow: hidden;
  }

  .icon img {
    position: absolute;
    inset: 0;
    width: 100%;
    height: 100%;
    object-fit: contain;
    background: var(--_bg);
  }

  .monogram {
    font-weight: 600;
    color: var(--_mu);
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
    color: var(--_mu);
    overflow: hidden;
    text-overflow: ellipsis;
    white-space: nowrap;
  }

  .row-error {
    color: var(--_dg);
  }

  .badge {
    justify-self: end;
    white-space: nowrap;
    font-size: 0.75rem;
    font-weight: 600;
    padding: 0.125rem 0.5rem;
    border-radius: 999px;
    background: var(--_nb);
    color: var(--_nf);
  }

  .badge[data-tone='success'] {
    background: var(--_sb);
    color: var(--_sc);
  }

  .badge[data-tone='warning'] {
    background: var(--_wb);
    color: var(--_wf);
  }

  .badge[data-tone='danger'] {
    background: var(--_db);
    color: var(--_df);
  }

  .actions {
    display: flex;
    flex-wrap: wrap;
    gap: 0.5rem;
    justify-content: flex-end;
    align-items: center;
  }

  .progress {
    color: var(--_mu);
  }

  button {
    font: inherit;
    font-weight: 500;
    cursor: pointer;
    border-radius: var(--_r);
    padding: 0.375rem 0.75rem;
    border: 1px solid var(--_bd);
    background: var(--_bg);
    color: var(--_tx);
  }

  button.primary {
    background: var(--_pr);
    border-color: var(--_pr);
    color: var(--_pt);
  }

  button.danger {
    color: var(--_dg);
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
    box-shadow: var(--_fr);
  }

  .state {
    padding: calc(var(--_sp) * 2);
    text-align: center;
    color: var(--_mu);
    border: 1px dashed var(--_bd);
    border-radius: var(--_r);
  }

  .state.error {
    color: var(--_tx);
    border-style: solid;
    border-color: var(--_dg);
  }

  .state p {
    margin: 0 0 var(--_sp);
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
    background: var(--_sf);
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
