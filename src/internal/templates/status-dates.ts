/**
 * The dates a row's status speaks of, written with `Intl` in the language of the element's `locale` (the language its
 * strings are in: `fr-CA` → `fr`, anything else English): the day an `expiring`
 * connection's credentials go (`credentials_expire_at`), and since when a `degraded` one's provider has not answered
 * (`last_downstream_error_at`). A chunk, fetched with the first list request (see `ConnectionsController.load`); should
 * it fail to load, the badge reads its plain label.
 */
import type { Connection } from '../api/schemas.ts';
import type { ListStrings } from '../../i18n/en-list.ts';
import { language } from '../../i18n/language.ts';

/** A moment (Unix milliseconds) in the language of `locale`, or `undefined` for none (0, absent) or one a `Date` cannot hold. */
function formatMoment(ms: number | null | undefined, locale: string, options: Intl.DateTimeFormatOptions): string | undefined {
  const date = new Date(ms || NaN);
  return ms && ms > 0 && !Number.isNaN(date.valueOf()) ? new Intl.DateTimeFormat(language(locale), options).format(date) : undefined;
}

/** The day of a moment, with its year when that is not this year's. */
function dayOf(ms: number): Intl.DateTimeFormatOptions {
  return { day: 'numeric', month: 'long', ...(new Date(ms).getFullYear() !== new Date().getFullYear() ? { year: 'numeric' } : {}) };
}

/** An `expiring` row's badge: "Reconnect before 12 March"; `undefined` without a date that can be written. */
export function expiringLabel(strings: ListStrings, connection: Connection, locale: string): string | undefined {
  const expires = connection.credentials_expire_at;
  const date = expires ? formatMoment(expires, locale, dayOf(expires)) : undefined;
  return date && strings.expiresOn(date);
}

/** Under a `degraded` row: since when the provider has not answered (the time, and the day unless it is today). */
export function degradedLine(strings: ListStrings, connection: Connection, locale: string): string | undefined {
  const since = connection.last_downstream_error_at;
  if (!since) return undefined;
  const today = new Date(since).toDateString() === new Date().toDateString();
  const time = formatMoment(since, locale, { ...(today ? {} : dayOf(since)), hour: 'numeric', minute: '2-digit' });
  return time && strings.degradedSince(time);
}
