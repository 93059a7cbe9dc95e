/** Helpers the server handlers and stores share for validating their options. Messages never quote option values. */
import type * as z from 'zod';

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
