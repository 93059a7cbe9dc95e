/**
 * What a click needs synchronously to start a popup flow: the plan and the blank popup. A lazy chunk, prefetched as soon
 * as `open-mode` is `popup` or `direct` (see `VaultConnect`), so the first load of a modal-only page does not carry it.
 */
export { planOpen, type OpenPlan } from './open-plan.ts';
export { openPopup } from './popup/open-popup.ts';
export { randomState } from './popup/random-state.ts';
