import type { Preview } from '@storybook/web-components-vite';
import { setCustomElementsManifest } from '@storybook/web-components-vite';
import manifest from '../custom-elements.json';

setCustomElementsManifest(manifest);

const preview: Preview = {
  parameters: {
    controls: { expanded: true },
    // axe runs after every story (and its play function) in the a11y addon; a violation fails the story, in the
    // Storybook UI and in `npm test` (.storybook/smoke.ts).
    a11y: { test: 'error' },
  },
};
export default preview;
