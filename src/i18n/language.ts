/**
 * Which of our languages a `locale` speaks; a module of its own, so a chunk that writes dates needs no string table.
 * The languages are a record over `Locale` (not `LOCALES` itself, which would then ship in the first load).
 */
import type { Locale } from '../internal/api/vocabulary.ts';

const OURS = { en: true, nl: true, de: true, fr: true, es: true } satisfies Record<Locale, true>;

/** `locale` as one of ours: `fr-CA` → `fr`; anything else (unknown, empty, hostile) → `en`. */
export function language(locale: unknown): Locale {
  const lang = String(locale).split(/[-_]/)[0].toLowerCase();
  return Object.hasOwn(OURS, lang) ? (lang as Locale) : 'en';
}
