import type { Meta, StoryObj } from '@storybook/web-components-vite';
import { html } from 'lit';
import { expect } from 'storybook/test';
import { buttonOf, readyElement, rowOf } from './support/play.ts';
import { baseMeta, renderVaultConnect, type VaultConnectArgs } from './support/story.ts';

/**
 * Colours follow `theme`: `auto` follows the page's `color-scheme` (light on a page that declares none, the browser's
 * preference on one that declares `light dark`); every colour, the radius, spacing and fonts are `--vc-*` custom
 * properties on the host.
 */
const meta = {
  ...baseMeta,
  title: 'vault-connect/Theme',
} satisfies Meta<VaultConnectArgs>;
export default meta;

type Story = StoryObj<VaultConnectArgs>;

/** Relative luminance (WCAG) of a computed `rgb()`/`rgba()` colour. */
function luminance(color: string): number {
  const [r, g, b] = (color.match(/[\d.]+/g) ?? []).slice(0, 3).map((part) => {
    const channel = Number(part) / 255;
    return channel <= 0.03928 ? channel / 12.92 : ((channel + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** `theme="dark"` on a dark page: a dark background under light text. */
export const Dark: Story = {
  args: { theme: 'dark' },
  parameters: { frame: { background: '#030712' } },
  play: async ({ canvasElement }) => {
    const element = await readyElement(canvasElement);
    const style = getComputedStyle(element);
    await expect(element.getAttribute('theme')).toBe('dark');
    await expect(luminance(style.backgroundColor)).toBeLessThan(0.1);
    await expect(luminance(style.color)).toBeGreaterThan(0.6);
  },
};

/**
 * `theme="auto"` inside a part of the page that declares `color-scheme: dark`: the element follows the page and is
 * dark (on a page that declares nothing it stays light, whatever the system prefers).
 */
export const AutoFollowsThePage: Story = {
  args: { theme: 'auto' },
  parameters: { frame: { background: '#030712' } },
  render: (args, context) => html`<div style="color-scheme: dark">${renderVaultConnect(args, context)}</div>`,
  play: async ({ canvasElement }) => {
    const element = await readyElement(canvasElement);
    const style = getComputedStyle(element);
    await expect(element.getAttribute('theme')).toBe('auto');
    await expect(luminance(style.backgroundColor)).toBeLessThan(0.1);
    await expect(luminance(style.color)).toBeGreaterThan(0.6);
  },
};

/** `theme="light"`, whatever the system prefers: a light background under dark text. */
export const Light: Story = {
  args: { theme: 'light' },
  play: async ({ canvasElement }) => {
    const element = await readyElement(canvasElement);
    const style = getComputedStyle(element);
    await expect(luminance(style.backgroundColor)).toBeGreaterThan(0.8);
    await expect(luminance(style.color)).toBeLessThan(0.1);
  },
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
  play: async ({ canvasElement }) => {
    const element = await readyElement(canvasElement);
    const connect = getComputedStyle(buttonOf(rowOf(element, 'xero'), 'connect'));
    await expect(connect.backgroundColor).toBe('rgb(15, 118, 110)');
    await expect(getComputedStyle(element).fontFamily).toContain('Georgia');
  },
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
  play: async ({ canvasElement }) => {
    const element = await readyElement(canvasElement);
    await expect(getComputedStyle(element).backgroundColor).toBe('rgb(28, 25, 23)');
    await expect(getComputedStyle(buttonOf(rowOf(element, 'xero'), 'connect')).backgroundColor).toBe('rgb(251, 146, 60)');
  },
};
