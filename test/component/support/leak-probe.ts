/**
 * Installs the leak probe as a side effect. `leaks/resource-counts.test.ts` imports this module first, so the probe's
 * patches of `addEventListener`, the timers, `window.open` and `BroadcastChannel` are in place before the element module
 * (and everything it imports) is evaluated: nothing the element registers escapes the counts.
 */
import { installLeakProbe } from './leak-instrumentation.ts';

export const probe = installLeakProbe();
