/**
 * The wire format between the callback page (`relayCallback`) and the popup engine (`listenForCallback`), on all three
 * channels: `window.postMessage`, a `BroadcastChannel` named `CALLBACK_CHANNEL`, and a `localStorage` write of
 * `CALLBACK_STORAGE_KEY` (written then removed at once, which fires `storage` in the other same-origin documents).
 * Every candidate is parsed with `CallbackMessageSchema` before anything reads it. No message carries a VaultRE code:
 * for VaultRE the callback page relays only the outcome of its own exchange.
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

/** A relayed VaultRE outcome's result: the callback page exchanged the code (or refused to) and says how it ended. */
export const OUTCOME_RESULTS = ['connected', 'denied', 'failed'] as const;
export type OutcomeResult = (typeof OUTCOME_RESULTS)[number];

/** At most this many characters of an outcome's texts (the host's error code and message, VaultRE's reason). */
const MAX_OUTCOME_TEXT = 512;
const outcomeText = z.optional(z.string().check(z.refine((value) => value.length <= MAX_OUTCOME_TEXT)));

export const CallbackMessageSchema = z
  .looseObject({
    type: z.enum([CALLBACK_MESSAGE_TYPE]),
    /** Random per relay, so the same message arriving on several channels is handled once. */
    id: z.string().check(z.minLength(8)),
    query: CallbackParamsSchema,
    fragment: CallbackParamsSchema,
    /** The flow record's id, when the callback page ran in the flow's own window (see `FlowRecord`). */
    flow: z.optional(z.string().check(z.minLength(8))),
    /** VaultRE: what the callback page's exchange came to. Never the code. */
    outcome: z.optional(
      z.looseObject({
        result: z.enum(OUTCOME_RESULTS),
        /** The host's error code (`code_expired`, `store_failed`, …), or `state_mismatch` / `network_error`. */
        error: outcomeText,
        message: outcomeText,
        /** VaultRE's `reason` on a denial other than the usual one. */
        reason: outcomeText,
        /** The host's HTTP status; 0 when its reply never came. */
        status: z.optional(z.number()),
        /** A 429's wait in seconds, when the host said. */
        retryAfter: z.optional(z.number()),
        /** The host's reply to a successful exchange (never a secret; passed on in `vaultre-connect`). */
        body: z.optional(z.unknown()),
      }),
    ),
  })
  .check(z.refine((message) => message.id.length <= 64 && (message.flow === undefined || message.flow.length <= 64)));

export type CallbackParams = Record<string, string>;

export interface CallbackOutcome {
  result: OutcomeResult;
  error?: string;
  message?: string;
  reason?: string;
  status?: number;
  retryAfter?: number;
  body?: unknown;
}

export interface CallbackMessage {
  type: typeof CALLBACK_MESSAGE_TYPE;
  id: string;
  query: CallbackParams;
  fragment: CallbackParams;
  flow?: string;
  outcome?: CallbackOutcome;
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
