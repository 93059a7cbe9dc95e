/** The element's live region: what a screen reader hears when an action starts, ends or fails. */
import { html, type ReactiveControllerHost, type TemplateResult } from 'lit';

export class Announcer {
  readonly #host: ReactiveControllerHost;
  #text = '';

  constructor(host: ReactiveControllerHost) {
    this.#host = host;
  }

  announce(text: string): void {
    // Re-announce an identical message by clearing first.
    this.#text = '';
    this.#host.requestUpdate();
    void this.#host.updateComplete.then(() => {
      this.#text = text;
      this.#host.requestUpdate();
    });
  }

  render(): TemplateResult {
    return html`<div class="visually-hidden" role="status" aria-live="polite">${this.#text}</div>`;
  }
}
