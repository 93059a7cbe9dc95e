import type { StorybookConfig } from '@storybook/web-components-vite';
import type { PluginOption } from 'vite';

/** The library build minifies Lit's html/css literals (vite.config.ts); stories gain nothing from it but build time. */
function withoutLiteralMinifier(plugins: PluginOption[] | undefined): PluginOption[] {
  return (plugins ?? []).flat().filter((plugin) => !(plugin && typeof plugin === 'object' && 'name' in plugin && plugin.name === 'minify-html-literals'));
}

const config: StorybookConfig = {
  stories: ['../stories/**/*.stories.ts'],
  addons: ['@storybook/addon-docs', '@storybook/addon-a11y'],
  framework: { name: '@storybook/web-components-vite', options: {} },
  core: { disableTelemetry: true, disableWhatsNewNotifications: true },
  // Stories bring their data with them (stories/fixtures/connections.ts from the sandbox seed; stories/support/
  // answers the element's requests and stands in for the Vault modal and popups), so no static files and no server
  // are needed.
  viteFinal: (viteConfig) => ({ ...viteConfig, plugins: withoutLiteralMinifier(viteConfig.plugins) }),
};
export default config;
