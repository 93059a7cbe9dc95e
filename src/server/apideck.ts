/**
 * What the session handler and the Apideck import store share about calling Apideck's Unify API: its default base URL
 * and the option that changes it, the headers every call carries, and the message of Apideck's error envelope.
 */
import * as z from 'zod';
import { isLoopbackHost, parseUrl } from './options.ts';

export const DEFAULT_UNIFY_BASE_URL = 'https://unify.apideck.com';

/** The `unifyBaseUrl` option: https without query or fragment; plain http only for loopback hosts (the sandbox). */
export const unifyBaseUrlOption = z
  .string()
  .refine((value) => {
    const url = parseUrl(value);
    if (url === null || url.search !== '' || url.hash !== '') return false;
    return url.protocol === 'https:' || (url.protocol === 'http:' && isLoopbackHost(url.hostname));
  }, 'must be an https URL without query or fragment (http only for localhost)')
  .optional();

/** The base to build Unify API URLs on: the option, or the default, without trailing slashes. */
export function unifyBase(unifyBaseUrl: string | undefined): string {
  return (unifyBaseUrl ?? DEFAULT_UNIFY_BASE_URL).replace(/\/+$/, '');
}

/** The headers of a Unify API call made for one consumer with the host's API key. */
export function apideckHeaders(apiKey: string, appId: string, consumerId: string): Record<string, string> {
  return {
    authorization: `Bearer ${apiKey}`,
    'x-apideck-app-id': appId,
    'x-apideck-consumer-id': consumerId,
    accept: 'application/json',
  };
}

/** Apideck's error envelope, reduced to the one field passed on. */
const ErrorEnvelopeSchema = z.looseObject({ message: z.string() });

/** The `message` of Apideck's error envelope, as Apideck wrote it; `undefined` when the reply has none. */
export function apideckErrorMessage(reply: unknown): string | undefined {
  const envelope = ErrorEnvelopeSchema.safeParse(reply);
  return envelope.success ? envelope.data.message : undefined;
}
