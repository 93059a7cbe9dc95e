/**
 * What the sandbox's server-rendered pages share: the consent page on the Vault API origin, Hosted Vault and VaultRE's
 * approval page. They are plain HTML forms with no script at all; every value that comes from a request or from a
 * connection is HTML-escaped; styles come from one stylesheet each origin serves at {@link PAGE_CSS_PATH}; and each page
 * carries a Content-Security-Policy with no inline script or style.
 */
import { readFileSync } from 'node:fs';
import { readLimited } from '../server/http/read-limited.ts';

/** Where every sandbox origin that serves pages serves their stylesheet. */
export const PAGE_CSS_PATH = '/__sandbox/page.css';

/** That stylesheet (`pages.css`). */
export const PAGE_CSS = readFileSync(new URL('./pages.css', import.meta.url), 'utf8');

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
