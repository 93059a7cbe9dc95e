/**
 * The COOP switch: {@link withCoop} wraps an emulator's handler so that, while it is on, every page it serves (HTML
 * documents and the redirects on the way to them) carries `Cross-Origin-Opener-Policy: same-origin`, which severs a
 * popup from its opener exactly as a real identity provider that sets COOP does.
 */
import type { FetchHandler } from '../server/node-adapter.ts';

/** Whether a response is a page for COOP purposes: an HTML document or a redirect on the way to one. */
function isPage(response: Response): boolean {
  if (response.status >= 300 && response.status < 400) return true;
  return (response.headers.get('content-type') ?? '').toLowerCase().startsWith('text/html');
}

/**
 * The COOP switch: while `enabled()` is true, every page the handler serves carries
 * `Cross-Origin-Opener-Policy: same-origin`; while it is false, none does.
 */
export function withCoop(handler: FetchHandler, enabled: () => boolean): FetchHandler {
  return async (request) => {
    const response = await handler(request);
    if (!enabled() || !isPage(response)) return response;
    // Responses made with `Response.redirect()` have immutable headers; copy into a fresh one.
    const headers = new Headers(response.headers);
    headers.set('cross-origin-opener-policy', 'same-origin');
    return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
  };
}
