/**
 * `window-mode`: whether a flow's window is a popup or this tab. In-app browsers (the WebViews that social and
 * messaging apps open links in) cannot keep a popup and its opener together: the popup opens as a new view, and the
 * result never reaches the page, after the user has already signed in. There, `auto` runs the flow in this tab, as
 * the same-tab fallback does (the callback page finishes it and brings the user back). The list is fixed and
 * documented in docs/window-mode.md; a host that knows better sets `popup` or `same-tab`.
 */
/** The in-app browsers `auto` runs in this tab, each by a marker its user agent carries. */
export const IN_APP_BROWSERS: readonly { readonly name: string; readonly pattern: RegExp }[] = [
  { name: 'Facebook, Messenger', pattern: /\bFB(?:AN|AV|_IAB)\// },
  { name: 'Instagram', pattern: /\bInstagram\b/ },
  { name: 'Threads', pattern: /\bBarcelona\b/ },
  { name: 'LinkedIn', pattern: /\bLinkedInApp\b/ },
  { name: 'X (Twitter)', pattern: /\bTwitter(?:Android)?\b/ },
  { name: 'Snapchat', pattern: /\bSnapchat\b/ },
  { name: 'TikTok', pattern: /\b(?:musical_ly|BytedanceWebview|TikTok)\b/ },
  { name: 'Pinterest', pattern: /\bPinterest\b/ },
  { name: 'LINE', pattern: /\bLine\/\d/ },
  { name: 'WeChat', pattern: /\bMicroMessenger\b/ },
  { name: 'KakaoTalk', pattern: /\bKAKAOTALK\b/ },
];

/** The in-app browser a user agent names, if it is one of the list. */
export function inAppBrowser(userAgent: string): string | undefined {
  return IN_APP_BROWSERS.find((browser) => browser.pattern.test(userAgent))?.name;
}

/**
 * Whether a flow that would open a popup runs in this tab instead: `same-tab` always, `popup` never, and `auto` (or any
 * other value, as `WindowMode` has it) in the in-app browsers above.
 */
export function flowsInSameTab(mode: string | undefined, userAgent?: string): boolean {
  if (mode === 'same-tab') return true;
  if (mode === 'popup') return false;
  // Read only here: `popup` and `same-tab` need no browser at all.
  return inAppBrowser(userAgent ?? navigator.userAgent) !== undefined;
}
