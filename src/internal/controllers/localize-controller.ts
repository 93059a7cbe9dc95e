/**
 * The element's strings: built-in English (the list's own, `en-list.ts`), or the locale's whole table with the
 * `strings` property merged over it. The
 * localizer (`i18n/localize.ts`) and each locale's table load as chunks the first time they are asked for; the
 * element's update waits for them (see `prepare`), so it never shows a flash of another language. An error's sentence
 * is `describeError(error, strings)`.
 */
import type { VaultConnectError } from '../api/errors.ts';
import { enList, type ListStrings } from '../../i18n/en-list.ts';
import type { LocalizedHost } from '../../i18n/localize.ts';

export class LocalizeController {
  /** The strings to render. */
  strings: ListStrings = enList;
  readonly #host: LocalizedHost;

  constructor(host: LocalizedHost) {
    this.#host = host;
  }

  /**
   * Before each update: English at once, or a promise the update waits for while the localizer and the locale's table
   * load (fetched alongside the session request). Should the localizer fail to load, English until it does.
   * `loadError` is the error the list's load ended in, if it did: English's list table then gives way to the whole one.
   */
  prepare(loadError: VaultConnectError | undefined): Promise<void> | undefined {
    const host = this.#host;
    // After a failed load, the whole table: the list's own has the usual errors' texts, not a rate limit's or its wait.
    if (host.locale === 'en' && !host.strings && !loadError) {
      this.strings = enList;
      return undefined;
    }
    return import('../../i18n/localize.ts').then(
      (module) => module.prepare(host, (strings) => (this.strings = strings)),
      () => undefined,
    );
  }
}
