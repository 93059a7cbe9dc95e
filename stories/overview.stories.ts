import type { Meta, StoryObj } from '@storybook/web-components-vite';
import { expect, waitFor } from 'storybook/test';
import { ATTRIBUTES, COMPONENT_DESCRIPTION } from './support/manifest.ts';
import { FIXTURE_CONNECTIONS } from './support/mock-vault.ts';
import { buttonOf, readyElement, rowOf, visibleRows, WAIT } from './support/play.ts';
import { baseMeta, STORY_VAULTRE, type VaultConnectArgs } from './support/story.ts';

/**
 * The element's docs page (Autodocs): the description, attributes, properties, events, CSS parts and custom
 * properties all come from `custom-elements.json`, generated from the class JSDoc. The Playground's Controls set the
 * attributes; the other story families show each state.
 */
const meta = {
  ...baseMeta,
  title: 'vault-connect/Overview',
  tags: ['autodocs'],
  parameters: {
    docs: {
      description: {
        component: `${COMPONENT_DESCRIPTION}\n\nIn Storybook the element talks to a mock Vault API and a mock VaultRE host endpoint made per story, a fake Vault modal, and stand-in popup windows: nothing leaves the page. Set \`vaultre-exchange-url\` to show the VaultRE row.`,
      },
    },
  },
} satisfies Meta<VaultConnectArgs>;
export default meta;

type Story = StoryObj<VaultConnectArgs>;

/** Every attribute is a Control; the list comes from the sandbox's catalogue. */
export const Playground: Story = {
  play: async ({ canvasElement, args }) => {
    const element = await readyElement(canvasElement);
    await expect(visibleRows(element)).toHaveLength(FIXTURE_CONNECTIONS.length);
    // The args reach the element as attributes.
    for (const name of ['theme', 'locale', 'open-mode'] as const) await expect(element.getAttribute(name)).toBe(String(args[name]));
    await expect(ATTRIBUTES.map((a) => a.name)).toContain('vaultre-exchange-url');
  },
};

/**
 * Controls of each kind at work: a CSS custom property (set on the element), the `strings` property (merged over the
 * locale's), and the VaultRE attributes (the row appears, talking to the story's mock host endpoint).
 */
export const Customised: Story = {
  args: {
    ...STORY_VAULTRE,
    '--vc-color-primary': '#0f766e',
    strings: { action: { connect: 'Link' } },
  },
  play: async ({ canvasElement }) => {
    const element = await readyElement(canvasElement);
    const connect = buttonOf(rowOf(element, 'xero'), 'connect');
    await expect(getComputedStyle(connect).backgroundColor).toBe('rgb(15, 118, 110)');
    await waitFor(() => expect(connect.textContent?.trim()).toBe('Link'), WAIT);
    await waitFor(() => expect(rowOf(element, 'vaultre').getAttribute('aria-busy')).toBe('false'), WAIT);
  },
};
