/**
 * The flow record, and the same-tab fallback built on it.
 *
 * A flow record (`PendingRedirect`, under `PENDING_KEY` in `sessionStorage`) tells the callback page which flow it
 * finishes and how (`mode`). In a popup flow the element writes it into the popup's own `sessionStorage` while the
 * popup is still its same-origin `about:blank` (`runPopupFlow`), so only the callback page in that window finds it:
 * it then relays with the record's id, and for VaultRE exchanges the code itself. In the same-tab fallback (the popup
 * was blocked twice) it is written to this tab's `sessionStorage`, the page navigates to the provider, the callback
 * page leaves its result under `RESULT_KEY` and returns to `returnUrl`, and the element, on load, takes both with
 * `takeRedirectResult()`.
 *
 * Nothing secret is stored: no token, and never a VaultRE `code` — the callback page exchanges it at once and stores
 * only the outcome. Entries are single use and older ones (15 minutes) are discarded.
 */
import * as z from 'zod/mini';
import { CallbackParamsSchema, type CallbackParams } from './callback-message.ts';
import { PENDING_KEY, RESULT_KEY } from './redirect-keys.ts';

export { PENDING_KEY, RESULT_KEY };
/** How long a same-tab flow may take before its entries are discarded. */
export const REDIRECT_MAX_AGE_MS = 15 * 60_000;

export const REDIRECT_KINDS = ['hosted', 'direct', 'vaultre'] as const;
export type RedirectKind = (typeof REDIRECT_KINDS)[number];
/** Where the callback page runs: in the flow's popup, or in this tab (the same-tab fallback). */
export const FLOW_MODES = ['popup', 'same-tab'] as const;
export type FlowMode = (typeof FLOW_MODES)[number];

// Written with the zod features the element's first load already carries (loose objects, enums, refinements; no
// \`union\`/\`literal\`/\`maxLength\`): modules shared with lazy chunks land in the first-load bundle (see the size budget).
const shorterThan = (max: number) => z.refine<string>((value) => value.length <= max);
const text = z.string().check(shorterThan(4096));

export const PendingRedirectSchema = z.looseObject({
  id: z.string().check(z.minLength(8), shorterThan(64)),
  kind: z.enum(REDIRECT_KINDS),
  /** Absent in records written before 0.2.0, which were all same-tab. */
  mode: z.optional(z.enum(FLOW_MODES)),
  /** The flow's \`state\` (or nonce): what the callback's own parameters must carry. The server signs VaultRE's (~350 characters). */
  state: z.string().check(z.minLength(8), shorterThan(2048)),
  serviceId: z.optional(text),
  unifiedApi: z.optional(text),
  /** \`location.href\` when the flow started: where the callback page returns to (same origin only). */
  returnUrl: text,
  /** VaultRE: where the callback page posts the code. */
  exchangeUrl: z.optional(text),
  tokenType: z.optional(z.enum(['account', 'user'])),
  redirectUri: z.optional(text),
  /** VaultRE: `connected_at` of the connection before the flow ('' when it had none); absent when there was none. */
  previous: z.optional(text),
  startedAt: z.number(),
});
export type PendingRedirect = z.infer<typeof PendingRedirectSchema>;

/** What the callback page leaves behind: the return's parameters (never a \`code\`), or a VaultRE exchange's outcome. */
export type RedirectResult =
  | { type: 'callback'; id: string; query: CallbackParams; fragment: CallbackParams }
  | { type: 'exchange'; id: string; ok: true; body: unknown }
  | { type: 'exchange'; id: string; ok: false; status: number; error?: string; message?: string; retryAfter?: number };

/** One schema for the three shapes of \`RedirectResult\`; the refinement requires the fields of the shape \`type\` names. */
export const RedirectResultSchema = z
  .looseObject({
    type: z.enum(['callback', 'exchange']),
    id: z.string(),
    query: z.optional(CallbackParamsSchema),
    fragment: z.optional(CallbackParamsSchema),
    ok: z.optional(z.boolean()),
    body: z.optional(z.unknown()),
    status: z.optional(z.number()),
    error: z.optional(text),
    message: z.optional(text),
    retryAfter: z.optional(z.number()),
  })
  .check(
    z.refine((result) =>
      result.type === 'callback'
        ? result.query !== undefined && result.fragment !== undefined
        : result.ok === true || (result.ok === false && result.status !== undefined),
    ),
  );

function storage(): Storage | undefined {
  try {
    return sessionStorage;
  } catch {
    return undefined;
  }
}

/** The entry under `key` if it is JSON that `schema` accepts. */
function readValid<S extends z.ZodMiniType>(store: Storage, key: string, schema: S): z.infer<S> | undefined {
  try {
    const raw = store.getItem(key);
    const parsed = raw === null ? undefined : schema.safeParse(JSON.parse(raw));
    return parsed?.success ? parsed.data : undefined;
  } catch {
    // Storage refused, not JSON, or a value zod throws on (a `length` that cannot be compared with a number).
    return undefined;
  }
}

/** Whether a pending flow is recent enough to finish (and not from the future). */
export function isFresh(pending: PendingRedirect, now = Date.now()): boolean {
  return pending.startedAt <= now + 60_000 && now - pending.startedAt <= REDIRECT_MAX_AGE_MS;
}

/** The pending same-tab flow of this tab, if a valid and fresh one is stored (it stays stored). */
export function readPendingRedirect(store: Storage | undefined = storage()): PendingRedirect | undefined {
  if (!store) return undefined;
  const pending = readValid(store, PENDING_KEY, PendingRedirectSchema);
  return pending && isFresh(pending) ? pending : undefined;
}

/** How a record's callback page runs: records from before 0.2.0 carry no mode and were all same-tab. */
export function modeOf(pending: PendingRedirect): FlowMode {
  return pending.mode ?? 'same-tab';
}

/** The stored result of a same-tab flow, if a valid one is stored (it stays stored). */
export function readRedirectResult(store: Storage | undefined = storage()): RedirectResult | undefined {
  if (!store) return undefined;
  // The refinement checked that the fields of the shape named by `type` are present.
  return readValid(store, RESULT_KEY, RedirectResultSchema) as RedirectResult | undefined;
}

/**
 * Stores the flow and leaves the page for `url` (through `navigate`, `location.assign` by default). Throws when storage
 * is unavailable, since the flow could not be finished. Any earlier result is dropped.
 */
export function startRedirectFlow(
  pending: PendingRedirect,
  url: string,
  navigate: (url: string) => void = (target) => location.assign(target),
): void {
  const store = sessionStorage;
  store.removeItem(RESULT_KEY);
  store.setItem(PENDING_KEY, JSON.stringify(PendingRedirectSchema.parse(pending)));
  navigate(url);
}

/**
 * Takes the finished same-tab flow, if there is one: reads and removes both entries (single use), validates them, and
 * returns them only when the result belongs to the pending flow and the flow is less than 15 minutes old.
 */
export function takeRedirectResult(): { pending: PendingRedirect; result: RedirectResult } | undefined {
  const store = storage();
  if (!store) return undefined;
  const pending = readPendingRedirect(store);
  const result = readRedirectResult(store);
  try {
    store.removeItem(PENDING_KEY);
    store.removeItem(RESULT_KEY);
  } catch {
    // Nothing was stored then.
  }
  if (!pending || !result || result.id !== pending.id) return undefined;
  return { pending, result };
}
