import type { Meta, StoryObj } from '@storybook/web-components-vite';
import { html } from 'lit';
import { baseMeta, renderVaultConnect, type VaultConnectArgs } from './support/story.ts';

/**
 * Colours follow `theme` (`auto` follows `prefers-color-scheme`); every colour, the radius, spacing and fonts are
 * `--vc-*` custom properties on the host.
 */
const meta = {
  ...baseMeta,
  title: 'vault-connect/Theme',
} satisfies Meta<VaultConnectArgs>;
export default meta;

type Story = StoryObj<VaultConnectArgs>;

/** `theme="dark"` on a dark page. */
export const Dark: Story = {
  args: { theme: 'dark' },
  parameters: { frame: { background: '#030712' } },
};

/** `theme="light"`, whatever the system prefers. */
export const Light: Story = {
  args: { theme: 'light' },
};

/**
 * A host's brand through custom properties. They are set on the element itself (here by a page style rule): the
 * element declares its defaults on `:host`, so values inherited from an ancestor do not reach it.
 */
export const CustomProperties: Story = {
  args: { theme: 'light' },
  render: (args, context) => html`<style>
      .brand-teal vault-connect {
        --vc-color-primary: #0f766e;
        --vc-color-primary-text: #ffffff;
        --vc-color-border: #99f6e4;
        --vc-radius: 2px;
        --vc-spacing: 1rem;
        --vc-font-family: Georgia, 'Times New Roman', serif;
      }
    </style>
    <div class="brand-teal">${renderVaultConnect(args, context)}</div>`,
};

/** `theme="dark"` with brand colours on top. */
export const DarkCustomProperties: Story = {
  args: { theme: 'dark' },
  parameters: { frame: { background: '#1c1917' } },
  render: (args, context) => html`<style>
      .brand-ember vault-connect {
        --vc-color-primary: #fb923c;
        --vc-color-primary-text: #1c1917;
        --vc-color-background: #1c1917;
        --vc-color-surface: #292524;
        --vc-color-border: #44403c;
      }
    </style>
    <div class="brand-ember">${renderVaultConnect(args, context)}</div>`,
};
