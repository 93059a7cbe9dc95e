import type { Meta, StoryObj } from '@storybook/web-components-vite';
import { expect, waitFor } from 'storybook/test';
import type { Locale } from '../src/internal/api/vocabulary.ts';
import { en } from '../src/i18n/en.ts';
import { FIXTURE_CONNECTIONS } from './support/mock-vault.ts';
import { inShadow, readyElement, visibleRows, WAIT } from './support/play.ts';
import { baseMeta, type VaultConnectArgs } from './support/story.ts';

/**
 * `locale` = `en`, `nl`, `de`, `fr`, `es` (the locales Vault JS offers): every string the element shows, and the
 * locale it passes to the Vault modal (see the Actions panel when a row is opened). Dates go through `Intl`.
 */
const meta = {
  ...baseMeta,
  title: 'vault-connect/Locale',
} satisfies Meta<VaultConnectArgs>;
export default meta;

type Story = StoryObj<VaultConnectArgs>;

/** The list in `locale`; the search box's label is the locale's own (English only for `en`). */
function localeStory(locale: Locale): Story {
  return {
    args: { locale },
    play: async ({ canvasElement }) => {
      const element = await readyElement(canvasElement);
      await expect(element.getAttribute('locale')).toBe(locale);
      await expect(visibleRows(element)).toHaveLength(FIXTURE_CONNECTIONS.length);
      await waitFor(() => {
        const label = inShadow(element).getByRole('searchbox').getAttribute('aria-label') ?? '';
        expect(label).not.toBe('');
        if (locale === 'en') expect(label).toBe(en.searchLabel);
        else expect(label).not.toBe(en.searchLabel);
      }, WAIT);
    },
  };
}

export const English: Story = localeStory('en');
export const Dutch: Story = localeStory('nl');
export const German: Story = localeStory('de');
export const French: Story = localeStory('fr');
export const Spanish: Story = localeStory('es');
