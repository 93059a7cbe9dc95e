// The entry of `dist/callback-page.js`: what `dist/callback.html` runs.
import { relayCallback } from './index.ts';

void relayCallback();
