/**
 * A Node request whose body a middleware has already read (`express.json()`, `body-parser`, a serverless platform):
 * its bytes again, for a Fetch handler that reads the body itself. Exact when the platform kept them (`rawBody`);
 * otherwise re-serialised from what the parser left in `req.body`, so that the handler reads what the parser read.
 */
import type { IncomingMessage } from 'node:http';

/** What body parsers add to a Node request. */
export interface ParsedNodeRequest extends IncomingMessage {
  /** Set by `express.json()`, `express.urlencoded()`, `express.text()`, `express.raw()`, `body-parser`, Next.js… */
  body?: unknown;
  /** The received bytes, kept by Google Cloud Functions, Firebase and `verify`-style middlewares. */
  rawBody?: unknown;
}

/** The stream was read before the adapter saw it, and nothing it can pass on was left behind. */
export class BodyAlreadyReadError extends Error {
  override readonly name = 'BodyAlreadyReadError';
  constructor() {
    super(
      'The request body was read by an earlier middleware (a body parser?) and is not in req.body or req.rawBody. ' +
        'Mount the handler before the body parser, or let the parser leave req.body.',
    );
  }
}

/** Whether something already read from the request's stream (a body parser's `data` listener). */
export function bodyWasRead(req: IncomingMessage): boolean {
  return req.readableDidRead || req.readableEnded;
}

/** The media type of a `content-type` value, lower case, without parameters. */
function mediaType(headers: Headers): string {
  return (headers.get('content-type') ?? '').split(';', 1)[0]?.trim().toLowerCase() ?? '';
}

/**
 * An `express.urlencoded()` object as a form body that reads back the same: keys and string values as they were,
 * repeated keys for arrays (`a=1&a=2`), and brackets for the nested objects of `extended: true` (`a[b]=1`).
 */
function formBody(value: object): string {
  const form = new URLSearchParams();
  const add = (key: string, item: unknown): void => {
    if (item === undefined) return;
    if (Array.isArray(item)) {
      item.forEach((element, index) => add(element !== null && typeof element === 'object' ? `${key}[${index}]` : key, element));
    } else if (item !== null && typeof item === 'object') {
      for (const [name, nested] of Object.entries(item)) add(`${key}[${name}]`, nested);
    } else if (typeof item === 'string' || typeof item === 'number' || typeof item === 'boolean' || typeof item === 'bigint') {
      form.append(key, String(item));
    } else {
      form.append(key, ''); // null: `qs` reads `a=` back as ''
    }
  };
  for (const [name, item] of Object.entries(value)) add(name, item);
  return form.toString();
}

/**
 * The body to hand on for a request whose stream was already read, and the headers fixed to match it: `content-length`
 * is the new length (the handler's limit checks it first, then counts the bytes), and `content-encoding` goes, since a
 * parser inflates a compressed body. Throws `BodyAlreadyReadError` when nothing was left behind.
 */
export function bodyFromParser(req: ParsedNodeRequest, headers: Headers): Uint8Array<ArrayBuffer> {
  const bytes = parsedBodyBytes(req, headers);
  headers.delete('content-encoding');
  headers.delete('transfer-encoding');
  headers.set('content-length', String(bytes.byteLength));
  return bytes;
}

function parsedBodyBytes(req: ParsedNodeRequest, headers: Headers): Uint8Array<ArrayBuffer> {
  const encoder = new TextEncoder();
  // Exact bytes when a platform or a parser's `verify` kept them. Still compressed only if the header says so and the
  // parser did not inflate them, which no parser that keeps `rawBody` does.
  if (req.rawBody instanceof Uint8Array) return new Uint8Array(req.rawBody);
  if (typeof req.rawBody === 'string') return encoder.encode(req.rawBody);
  // A body the client sent empty stays empty (`express.json()` turns it into `{}`).
  if (headers.get('content-length') === '0') return new Uint8Array(0);
  const { body } = req;
  if (body === undefined) throw new BodyAlreadyReadError();
  if (body instanceof Uint8Array) return new Uint8Array(body); // express.raw(): the bytes as received (inflated).
  if (typeof body === 'string') {
    // express.text() decoded the body with its charset; it goes on as UTF-8, and says so.
    const type = headers.get('content-type');
    if (type && /;\s*charset=/i.test(type)) headers.set('content-type', type.replace(/(;\s*charset=)("[^"]*"|[^;]*)/i, '$1utf-8'));
    return encoder.encode(body);
  }
  if (body !== null && typeof body === 'object' && mediaType(headers) === 'application/x-www-form-urlencoded') {
    return encoder.encode(formBody(body));
  }
  // express.json(), or any parser that produced a JSON value. The content-type stays as the client sent it, so a
  // handler that accepts only JSON refuses what it would have refused unparsed.
  const text = JSON.stringify(body);
  if (text === undefined) throw new TypeError(`req.body (${typeof body}) cannot be passed on as JSON.`);
  return encoder.encode(text);
}
