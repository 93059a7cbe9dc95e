/**
 * The consent page of `GET /vault/authorize/…`: it stands in for the provider's own sign-in and consent screen, with an
 * Authorize / Deny form posting to `…/decision`. Script-free; every value is HTML-escaped (see `pages.ts`).
 */
import type { Connection } from '../seed/connection.ts';
import { escapeHtml, renderPage } from '../pages.ts';

export interface ConsentPageInput {
  connection: Connection;
  consumerId: string;
  redirectUri: URL;
  /** The id of the pending consent request, posted back with the decision. */
  consent: string;
  serviceId: string;
  applicationId: string;
}

export function consentPageHtml({ connection, consumerId, redirectUri, consent, serviceId, applicationId }: ConsentPageInput): string {
  const action = `/vault/authorize/${encodeURIComponent(serviceId)}/${encodeURIComponent(applicationId)}/decision`;
  const icon = connection.icon.startsWith('data:image/') ? `<img src="${escapeHtml(connection.icon)}" alt="" width="48" height="48">` : '';
  return renderPage({
    title: `Authorize ${connection.name} (sandbox)`,
    body: `<div class="brand">${icon}<div><h1>Authorize ${escapeHtml(connection.name)}</h1>
<p class="muted small">Apideck Vault sandbox: this page stands in for ${escapeHtml(connection.name)}'s own sign-in and consent screen.</p></div></div>
<p>Allow the application to access your ${escapeHtml(connection.name)} account on your behalf?</p>
<dl>
<dt>Connection</dt><dd>${escapeHtml(connection.name)} (${escapeHtml(connection.unified_api)})</dd>
<dt>Consumer</dt><dd>${escapeHtml(consumerId)}</dd>
<dt>Returns to</dt><dd>${escapeHtml(redirectUri.origin + redirectUri.pathname)}</dd>
</dl>
<form method="post" action="${escapeHtml(action)}" class="actions">
<input type="hidden" name="consent" value="${escapeHtml(consent)}">
<button type="submit" name="decision" value="authorize">Authorize</button>
<button type="submit" name="decision" value="deny" class="secondary">Deny</button>
</form>`,
  });
}
