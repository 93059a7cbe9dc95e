/**
 * Helpers for the VaultRE end-to-end tests and the callback benchmark: the demo page with its VaultRE row, the popup
 * on the sandbox's VaultRE approval page, and the demo's `/api/vaultre` seen from Node.
 *
 * Notes: no named functions inside evaluated code (tsx's esbuild would wrap them in a `__name` helper the page does not
 * have).
 */
import assert from 'node:assert/strict';
import type { BrowserContext, Page } from 'playwright-core';
import { WAIT, openDemo, row, type Demo } from './helpers.ts';

/** The demo's VaultRE settings as `/api/demo-config` gives them (asserted present). */
export interface VaultreConfig {
  /** The element's `vaultre-exchange-url` (`/api/vaultre`, which builds the authorize URL). */
  exchangeUrl: string;
  /** The redirect URI `/api/vaultre` puts in its authorize URLs (the demo's callback page). */
  redirectUri: string;
}

export function vaultreConfig(demo: Demo): VaultreConfig {
  const { vaultreRedirectUri, vaultreExchangeUrl } = demo.config;
  assert.ok(vaultreRedirectUri && vaultreExchangeUrl, '/api/demo-config has the vaultre fields');
  return { redirectUri: vaultreRedirectUri, exchangeUrl: vaultreExchangeUrl };
}

/**
 * Gives the demo's element its `vaultre-exchange-url` from `/api/demo-config` when the demo page has not (yet) set it
 * itself, and waits until the VaultRE row has read its status. Returns whether the demo page had set it.
 */
export async function ensureVaultreRow(page: Page, config: VaultreConfig, tokenType?: 'account' | 'user'): Promise<boolean> {
  const setByDemo = await page.evaluate(
    ({ config, tokenType }) => {
      const element = document.querySelector('vault-connect')!;
      const had = Boolean(element.vaultreExchangeUrl);
      if (!had) element.vaultreExchangeUrl = config.exchangeUrl;
      if (tokenType) element.vaultreTokenType = tokenType;
      return had;
    },
    { config, tokenType },
  );
  await vaultreRow(page).waitFor();
  await page.waitForFunction(
    () => document.querySelector('vault-connect')?.shadowRoot?.querySelector('[data-service-id="vaultre"]')?.getAttribute('aria-busy') === 'false',
    undefined,
    { timeout: WAIT },
  );
  return setByDemo;
}

/** Opens the demo and waits until its list and its VaultRE row are in. */
export async function openVaultreDemo(context: BrowserContext, demo: Demo, tokenType?: 'account' | 'user'): Promise<Page> {
  const page = await openDemo(context, demo.url);
  await ensureVaultreRow(page, vaultreConfig(demo), tokenType);
  return page;
}

export function vaultreRow(page: Page) {
  return row(page, 'vaultre');
}

/** Clicks the VaultRE row's button and returns the popup once it shows VaultRE's approval page. */
export async function connectVaultrePopup(page: Page, demo: Demo, action = 'connect'): Promise<Page> {
  const opened = page.context().waitForEvent('page', { timeout: WAIT });
  await vaultreRow(page).locator(`button[data-action="${action}"]`).click();
  const popup = await opened;
  await popup.waitForURL((url) => url.href.startsWith(`${demo.sandbox.vaultreUrl}/oauth-authorize`), { timeout: WAIT });
  await popup.locator('button[value="confirm"]').waitFor();
  return popup;
}

/** Presses a button on the approval page; the popup may close itself at once (the callback page relays and closes). */
export async function decide(popup: Page, decision: 'confirm' | 'cancel'): Promise<void> {
  try {
    await popup.locator(`button[value="${decision}"]`).click({ timeout: WAIT });
  } catch (error) {
    if (!popup.isClosed()) throw error;
  }
}

/** Resolves once the popup is closed (by itself, the element or the test). */
export async function closed(popup: Page): Promise<void> {
  if (popup.isClosed()) return;
  await popup.waitForEvent('close', { timeout: WAIT }).catch((error: unknown) => {
    if (!popup.isClosed()) throw error;
  });
}

/** `GET /api/vaultre` from Node, as the demo's consumer (no browser Origin: allowed as a server-side call). */
export async function hostStatus(demo: Demo): Promise<{ connected: boolean; token_type?: string; connected_at?: string }> {
  const response = await fetch(new URL('/api/vaultre', demo.url), { signal: AbortSignal.timeout(WAIT) });
  assert.equal(response.status, 200);
  return (await response.json()) as { connected: boolean; token_type?: string; connected_at?: string };
}

/** `DELETE /api/vaultre` from Node: the demo's memory store forgets the token. */
export async function forgetToken(demo: Demo): Promise<void> {
  const response = await fetch(new URL('/api/vaultre', demo.url), { method: 'DELETE', signal: AbortSignal.timeout(WAIT) });
  assert.equal(response.status, 204);
}

/** Everything the page keeps or shows: its markup, the element's shadow DOM, both storages and the demo log. */
export function pageSurface(page: Page): Promise<string> {
  return page.evaluate(() => {
    const element = document.querySelector('vault-connect');
    const stores = [localStorage, sessionStorage].map((store) => JSON.stringify({ ...store }));
    return [document.documentElement.outerHTML, element?.shadowRoot?.innerHTML ?? '', ...stores, location.href].join('\n');
  });
}
