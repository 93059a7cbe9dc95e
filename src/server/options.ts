/** Helpers the server handlers and stores share for validating their options. Messages never quote option values. */
import { ZodError, type z } from 'zod';
import { HttpError } from './http.ts';

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
    return { success: false, error: new ZodError([{ code: 'custom', path: [], message: 'Invalid input', input: value }]) };
  }
}

/** Header values: visible ASCII and spaces (no control characters, no line breaks). */
export const HEADER_SAFE = /^[\x20-\x7e]+$/;

/**
 * Who is signed in, from the host's `consumerId(request)`: nobody (empty, not a string, or it threw) is a 401, and an
 * ID that could not travel in a header is a 500. Neither message quotes the ID or the error.
 */
export async function resolveConsumerId(
  read: (request: Request) => string | Promise<string>,
  request: Request,
  messages: { notSignedIn: string; invalid: string },
): Promise<string> {
  let consumerId: unknown;
  try {
    consumerId = await read(request);
  } catch {
    consumerId = undefined;
  }
  if (typeof consumerId !== 'string' || consumerId.trim() === '') throw new HttpError(401, 'not_signed_in', messages.notSignedIn);
  if (!HEADER_SAFE.test(consumerId)) throw new HttpError(500, 'invalid_consumer_id', messages.invalid);
  return consumerId;
}
