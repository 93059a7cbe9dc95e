/**
 * What the callback page says when it cannot close itself. The page has no `locale` attribute to read (it is the
 * `redirect_uri`, reached from another site), so it follows the browser's languages, in order of preference.
 */
import type { Locale } from '../internal/api/vocabulary.ts';

export const CLOSE_MESSAGES = {
  en: 'You can close this window.',
  nl: 'Je kunt dit venster sluiten.',
  de: 'Sie können dieses Fenster schließen.',
  fr: 'Vous pouvez fermer cette fenêtre.',
  es: 'Puedes cerrar esta ventana.',
} satisfies Record<Locale, string>;

/** The first of `languages` (`navigator.languages`) that we speak, with its message; otherwise English. */
export function closeMessage(languages: readonly string[] | undefined): { lang: Locale; text: string } {
  for (const tag of languages ?? []) {
    const lang = String(tag).split(/[-_]/)[0].toLowerCase();
    if (Object.hasOwn(CLOSE_MESSAGES, lang)) return { lang: lang as Locale, text: CLOSE_MESSAGES[lang as Locale] };
  }
  return { lang: 'en', text: CLOSE_MESSAGES.en };
}
