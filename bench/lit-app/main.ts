/**
 * A small app that already uses Lit (its own element, a reactive property, a template, styles) and adds
 * `<vault-connect>` through the package entry, as a host's settings page would: built by bench/lit-dedupe.ts.
 */
import { LitElement, css, html } from 'lit';
import 'vault-connect';

class AppSettings extends LitElement {
  static override properties = { tab: { state: true } };
  static override styles = css`
    :host { display: block; max-width: 48rem; margin: 0 auto; font-family: system-ui, sans-serif; }
    nav { display: flex; gap: 0.5rem; }
  `;

  tab: 'profile' | 'connections' = 'connections';

  override render() {
    return html`
      <nav>
        <button @click=${() => (this.tab = 'profile')}>Profile</button>
        <button @click=${() => (this.tab = 'connections')}>Connections</button>
      </nav>
      ${this.tab === 'connections'
        ? html`<vault-connect session-url="/api/vault-session"></vault-connect>`
        : html`<p>Your profile.</p>`}
    `;
  }
}

customElements.define('app-settings', AppSettings);
