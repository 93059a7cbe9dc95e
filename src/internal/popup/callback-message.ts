/**
 * The wire format between the callback page (`relayCallback`) and the popup engine (`listenForCallback`), on all three
 * channels: `window.postMessage`, a `BroadcastChannel` named `CALLBACK_CHANNEL`, and a `localStorage` write of
 * `CALLBACK_STORAGE_KEY` (written then removed at once, which fires `storage` in the other same-origin documents).
 * Every candidate is parsed with `CallbackMessageSchema` before anything reads it.
 */
import * as z from 'zod/mini';

export const CALLBACK_MESSAGE_TYPE = 'vault-connect:callback';
export const CALLBACK_CHANNEL = 'vault-connect:callback';
export const CALLBACK_STORAGE_KEY = 'vault-connect:callback';

/** Limits of a relayed query or fragment: a real OAuth return carries a handful of short parameters. */
export const MAX_PARAMS = 50;
export const MAX_KEY_LENGTH = 256;
export const MAX_VALUE_LENGTH = 4096;

/** Whether a parsed object is a query or fragment: string values only, bounded in count and size. */
function isBoundedParams(value: Record<string, unknown>): boolean {
  const entries = Object.entries(value);
  return (
    entries.length <= MAX_PARAMS &&
    entries.every(([key, item]) => key.length <= MAX_KEY_LENGTH && typeof item === 'string' && item.length <= MAX_VALUE_LENGTH)
  );
}

/**
 * The parameters of a query string or fragment. Written with the zod features the element's first load already
 * carries (a loose object and a refinement, not \`record\`/\`literal\`/\`maxLength\`): modules shared with lazy chunks
 * land in the first-load bundle, so every extra zod feature here would cost every page (see the size budget).
 */
export const CallbackParamsSchema = z.looseObject({}).check(z.refine(isBoundedParams));

export const CallbackMessageSchema = z
  .looseObject({
    type: z.enum([CALLBACK_MESSAGE_TYPE]),
    /** Random per relay, so the same message arriving on several channels is handled once. */
    id: z.string().check(z.minLength(8)),
    query: CallbackParamsSchema,
    fragment: CallbackParamsSchema,
  })
  .check(z.refine((message) => message.id.length <= 64));

export type CallbackParams = Record<string, string>;
export interface CallbackMessage {
  type: typeof CALLBACK_MESSAGE_TYPE;
  id: string;
  query: CallbackParams;
  fragment: CallbackParams;
}

/** Parses anything received into a message, or `undefined` when it is not one. */
export function parseCallbackMessage(data: unknown): CallbackMessage | undefined {
  try {
    const parsed = CallbackMessageSchema.safeParse(data);
    // The refinements above checked that every value of `query` and `fragment` is a string.
    return parsed.success ? (parsed.data as CallbackMessage) : undefined;
  } catch {
    // zod can throw on a hostile value (an `id` whose `length` cannot be compared with a number): not a message.
    return undefined;
  }
}

/** A query string (`?a=1`) or fragment (`#a=1`) as a record; with a repeated key, the first value wins. */
export function paramsOf(text: string): CallbackParams {
  const params: CallbackParams = {};
  for (const [key, value] of new URLSearchParams(text.replace(/^[?#]/, ''))) {
    if (!Object.hasOwn(params, key)) Object.defineProperty(params, key, { value, enumerable: true, writable: true, configurable: true });
  }
  return params;
}
