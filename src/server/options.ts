/** Validation helpers the server handlers and stores share: option schemas and messages, and a parse that never throws. */
import * as z from 'zod';

export function parseUrl(value: string): URL | null {
  try {
    return new URL(value);
  } catch {
    return null;
  }
}

/** Whether a host name is this machine: plain http is allowed only there (the sandbox emulators). */
export function isLoopbackHost(hostname: string): boolean {
  return (
    hostname === 'localhost' ||
    hostname.endsWith('.localhost') ||
    hostname === '[::1]' ||
    /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname)
  );
}

export const isFunction = (value: unknown): boolean => typeof value === 'function';

/** The `allowedOrigins` option of both handlers: origins only (scheme, host and port). */
export const allowedOriginsOption = z
  .array(
    z.string().refine((value) => {
      const url = parseUrl(value);
      return url !== null && url.origin !== 'null' && url.origin === value.replace(/\/$/, '');
    }, 'must list origins such as "https://app.example.com" (scheme, host and port only)'),
  )
  .optional();

/** The `timeoutMs` option of everything that calls upstream: at most two minutes. */
export const timeoutMsOption = z.number().int().positive().max(120_000).optional();

/** The `fetch` option of everything that calls upstream. */
export const fetchOption = z.custom<typeof fetch>(isFunction, 'must be a function').optional();

/** Describes the first bad option of `name`'s options by its path and zod's message; option values are never quoted. */
export function optionsError(name: string, error: z.ZodError): Error {
  const issue = error.issues[0];
  if (!issue) return new Error(`${name}: invalid options.`);
  if (issue.code === 'unrecognized_keys') {
    const keys = issue.keys.map((key) => [...issue.path, key].join('.'));
    return new Error(`${name}: unknown option ${keys.map((key) => `"${key}"`).join(', ')}.`);
  }
  const path = issue.path.map(String).join('.');
  if (path === '') return new Error(`${name}: options must be an object.`);
  const detail = issue.message.startsWith('must ')
    ? issue.message
    : `is invalid: ${issue.message.replace(/^Invalid (input|option): /, '')}`;
  return new Error(`${name}: option "${path}" ${detail}.`);
}

/**
 * `schema.safeParse(value)` that never throws: zod's length checks also run on a value of the wrong type that has a
 * `length`, and throw when that `length` cannot be compared with a number (`{"length": {"toString": 1}}` in a request
 * body or an upstream reply). Such a value fails the parse, with one issue at the top.
 */
export function safeParse<S extends z.ZodType>(schema: S, value: unknown): z.ZodSafeParseSuccess<z.infer<S>> | { success: false; error: z.ZodError } {
  try {
    return schema.safeParse(value);
  } catch {
    return { success: false, error: new z.ZodError([{ code: 'custom', path: [], message: 'Invalid input', input: value }]) };
  }
}

/** Header values: visible ASCII and spaces (no control characters, no line breaks). */
export const HEADER_SAFE = /^[\x20-\x7e]+$/;
