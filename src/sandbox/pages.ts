/**
 * What the sandbox's server-rendered pages share: the consent page on the Vault API origin, Hosted Vault and VaultRE's
 * approval page. They are plain HTML forms with no script at all; every value that comes from a request or from a
 * connection is HTML-escaped; styles come from one stylesheet each origin serves at {@link PAGE_CSS_PATH}; and each page
 * carries a Content-Security-Policy with no inline script or style.
 *
 * The COOP switch: {@link withCoop} wraps an emulator's handler so that, while it is on, every page it serves (HTML
 * documents and the redirects on the way to them) carries `Cross-Origin-Opener-Policy: same-origin`, which severs a
 * popup from its opener exactly as a real identity provider that sets COOP does.
 */
import { readLimited } from '../server/http/read-limited.ts';

export type FetchHandler = (request: Request) => Promise<Response>;

/** Where every sandbox origin that serves pages serves their stylesheet. */
export const PAGE_CSS_PATH = '/__sandbox/page.css';

/**
 * The policy of a server-rendered sandbox page: nothing but the origin's stylesheet and `data:`/`https:` images.
 * `form-action` is left open on purpose: Chromium applies it to the redirect that follows a form post, and these forms
 * redirect to the `redirect_uri` on another origin.
 */
export const PAGE_CSP = "default-src 'none'; style-src 'self'; img-src data: https:; base-uri 'none'; frame-ancestors 'none'";

export const PAGE_HEADERS: Readonly<Record<string, string>> = {
  'x-content-type-options': 'nosniff',
  'cache-control': 'no-store',
  'referrer-policy': 'no-referrer',
};

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for HTML element content and double-quoted attribute values. */
export function escapeHtml(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]);
}

export interface PageOptions {
  title: string;
  /** Trusted HTML: build it with {@link escapeHtml} around every value. */
  body: string;
  lang?: string;
}

/** A whole HTML document with the shared stylesheet and no script. */
export function renderPage({ title, body, lang = 'en' }: PageOptions): string {
  return `<!doctype html>
<html lang="${escapeHtml(lang)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<link rel="stylesheet" href="${PAGE_CSS_PATH}">
</head>
<body>
<main class="card">
${body}
</main>
</body>
</html>
`;
}

export function htmlResponse(status: number, html: string, headers: Record<string, string> = {}): Response {
  return new Response(html, {
    status,
    headers: { ...PAGE_HEADERS, 'content-security-policy': PAGE_CSP, 'content-type': 'text/html; charset=utf-8', ...headers },
  });
}

/** A simple page with a heading and a message: errors, "you can close this window". */
export function messagePage(status: number, title: string, message: string, extraBody = ''): Response {
  return htmlResponse(
    status,
    renderPage({ title, body: `<h1>${escapeHtml(title)}</h1>\n<p role="status">${escapeHtml(message)}</p>\n${extraBody}` }),
  );
}

/** A redirect whose `Location` is exactly `location` (no normalisation). */
export function redirectResponse(status: 302 | 303, location: string): Response {
  return new Response(null, { status, headers: { ...PAGE_HEADERS, location } });
}

export function methodNotAllowed(allow: string): Response {
  return new Response('Method not allowed', {
    status: 405,
    headers: { ...PAGE_HEADERS, allow, 'content-type': 'text/plain; charset=utf-8' },
  });
}

export function notFound(): Response {
  return new Response('Not found', { status: 404, headers: { ...PAGE_HEADERS, 'content-type': 'text/plain; charset=utf-8' } });
}

export function cssResponse(request: Request): Response {
  if (request.method !== 'GET' && request.method !== 'HEAD') return methodNotAllowed('GET, HEAD');
  return new Response(request.method === 'HEAD' ? null : PAGE_CSS, {
    status: 200,
    headers: { ...PAGE_HEADERS, 'cache-control': 'max-age=300', 'content-type': 'text/css; charset=utf-8' },
  });
}

/** Thrown by {@link readForm} when the body is too large or not a form. */
export class FormBodyError extends Error {
  override readonly name = 'FormBodyError';
  readonly status: 400 | 413 | 415;
  constructor(status: 400 | 413 | 415, message: string) {
    super(message);
    this.status = status;
  }
}

/**
 * Reads an `application/x-www-form-urlencoded` body (a missing content type counts as one) of at most `limit` bytes.
 * With `anyType`, the body is parsed as a form whatever its declared type, as a CGI script reading its input would.
 */
export async function readForm(request: Request, { limit = 16 * 1024, anyType = false } = {}): Promise<URLSearchParams> {
  const type = (request.headers.get('content-type') ?? '').split(';')[0].trim().toLowerCase();
  if (!anyType && type !== '' && type !== 'application/x-www-form-urlencoded') {
    throw new FormBodyError(415, 'The body must be application/x-www-form-urlencoded');
  }
  if (Number(request.headers.get('content-length') ?? '0') > limit) throw new FormBodyError(413, 'The body is too large');
  const bytes = await readLimited(request.body, limit);
  if (!bytes) throw new FormBodyError(413, 'The body is too large');
  return new URLSearchParams(new TextDecoder().decode(bytes));
}

/**
 * Appends `pair` (already encoded, e.g. `error=access_denied`) to a URL's query without touching the rest of it: the
 * existing query keeps its exact encoding, a fragment stays at the end. `URLSearchParams` would re-encode the whole query.
 */
export function appendQuery(url: string, pair: string): string {
  const hashAt = url.indexOf('#');
  const base = hashAt === -1 ? url : url.slice(0, hashAt);
  const hash = hashAt === -1 ? '' : url.slice(hashAt);
  const separator = !base.includes('?') ? '?' : base.endsWith('?') || base.endsWith('&') ? '' : '&';
  return `${base}${separator}${pair}${hash}`;
}

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

export const PAGE_CSS = `:root {
  color-scheme: light dark;
  --primary: #5c51ce;
  --bg: #f4f5f8;
  --card: #ffffff;
  --fg: #1f2430;
  --muted: #5f6677;
  --border: #d5d8e0;
  --danger: #c4262e;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
}
@media (prefers-color-scheme: dark) {
  :root { --bg: #12141a; --card: #1c1f26; --fg: #eef0f4; --muted: #a3a9b7; --border: #3a3f4b; --danger: #ff6b70; }
}
body { margin: 0; min-height: 100vh; background: var(--bg); color: var(--fg); display: grid; place-items: start center; }
.card {
  box-sizing: border-box; width: min(32rem, calc(100vw - 2rem)); margin: 2rem 1rem; padding: 1.5rem;
  background: var(--card); border: 1px solid var(--border); border-radius: 12px;
}
h1 { font-size: 1.3rem; margin: 0 0 0.75rem; }
h2 { font-size: 1rem; margin: 1.25rem 0 0.5rem; }
p { margin: 0.5rem 0; line-height: 1.45; }
.muted { color: var(--muted); }
.small { font-size: 0.85rem; }
.error { color: var(--danger); font-weight: 600; }
.notice { border-left: 4px solid var(--primary); padding: 0.5rem 0.75rem; background: color-mix(in srgb, var(--primary) 10%, transparent); }
.brand { display: flex; gap: 0.75rem; align-items: center; margin-bottom: 1rem; }
.brand img { border-radius: 8px; }
.user { display: flex; justify-content: space-between; gap: 1rem; font-size: 0.9rem; color: var(--muted); margin-bottom: 1rem; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 0.25rem 1rem; margin: 0.75rem 0; }
dt { color: var(--muted); }
dd { margin: 0; overflow-wrap: anywhere; }
ul.list { list-style: none; padding: 0; margin: 0; display: grid; gap: 0.25rem; }
ul.list a { display: flex; justify-content: space-between; gap: 1rem; padding: 0.5rem; border: 1px solid var(--border); border-radius: 6px; color: inherit; text-decoration: none; }
.actions { display: flex; flex-wrap: wrap; gap: 0.5rem; margin-top: 1rem; }
.actions form { margin: 0; }
.field { display: grid; gap: 0.25rem; margin-bottom: 0.75rem; }
.field label { font-weight: 600; font-size: 0.9rem; }
.checkbox { display: flex; gap: 0.5rem; align-items: center; margin-bottom: 0.75rem; }
input, select, textarea {
  font: inherit; padding: 0.4rem 0.5rem; border: 1px solid var(--border); border-radius: 6px; background: var(--card); color: var(--fg);
}
button {
  font: inherit; cursor: pointer; padding: 0.45rem 0.9rem; border-radius: 6px;
  border: 1px solid var(--primary); background: var(--primary); color: #fff;
}
button.secondary { background: transparent; color: var(--fg); border-color: var(--border); }
a { color: var(--primary); }
:focus-visible { outline: 3px solid var(--primary); outline-offset: 2px; }
`;
