/**
 * What the visual tests draw: a settings page holding `<vault-connect>` in the font shipped beside this file (Inter,
 * SIL Open Font License, `fonts/OFL.txt`), so that a system font update cannot move a pixel, and the fixed list the
 * fake Vault API answers with (one row in each kind of status, no icons, fixed dates).
 */
import type { Connection } from '../../src/index.ts';

/** The fake Vault API's origin (Playwright answers it; nothing leaves the machine). */
export const API = 'https://unify.visual.test';

/** The VaultRE host endpoint, on the page's origin (answered by Playwright too). */
export const VAULTRE_PATH = '/__visual-vaultre';

function connection(fields: Partial<Connection> & { service_id: string; name: string }): Connection {
  return {
    id: `${fields.unified_api ?? 'crm'}+${fields.service_id}`,
    unified_api: 'crm',
    state: 'callable',
    integration_state: 'configured',
    auth_type: 'oauth2',
    enabled: true,
    ...fields,
  };
}

export const LIST: Connection[] = [
  connection({ service_id: 'salesforce', name: 'Salesforce', tag_line: 'CRM software solutions and enterprise cloud computing from the leader in customer relationship management.' }),
  connection({ service_id: 'hubspot', name: 'HubSpot', state: 'available', tag_line: 'Inbound marketing, sales and service software that helps companies grow better.' }),
  connection({ service_id: 'pipedrive', name: 'Pipedrive', enabled: false, tag_line: 'The easy-to-use, #1 user-rated CRM tool.' }),
  connection({ service_id: 'zoho-crm', name: 'Zoho CRM', health: 'needs_auth', tag_line: 'Online CRM software for customer relationship management.' }),
  connection({ service_id: 'close', name: 'Close', state: 'authorized', auth_type: 'apiKey', tag_line: 'The inside sales CRM of choice for SMBs.' }),
  connection({ service_id: 'xero', name: 'Xero', unified_api: 'accounting', health: 'pending_refresh', credentials_expire_at: 1_893_456_000_000, tag_line: 'Beautiful online accounting software for small business.' }),
  connection({ service_id: 'quickbooks', name: 'QuickBooks', unified_api: 'accounting', health: 'degraded', last_downstream_error_at: 1_764_000_000_000, tag_line: 'Accounting software for small businesses.' }),
  connection({ service_id: 'exact-online', name: 'Exact Online', unified_api: 'accounting', state: 'invalid', tag_line: 'Cloud business software for entrepreneurs and accountants.' }),
];

function base64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/** A session JWT with a made-up signature (the element decodes it, never verifies it; the fake API takes any). */
export const TOKEN = `${base64url({ alg: 'HS256', typ: 'JWT' })}.${base64url({ application_id: 'visual-app', consumer_id: 'visual-consumer', iat: 1_700_000_000, exp: 4_100_000_000 })}.${base64url('signature')}`;

export function pageHtml(theme: 'light' | 'dark'): string {
  const page = theme === 'dark' ? { background: '#111827', text: '#f3f4f6', muted: '#9ca3af' } : { background: '#ffffff', text: '#111827', muted: '#4b5563' };
  const faces = [400, 500, 600, 700]
    .map((weight) => `@font-face { font-family: 'Inter Visual'; font-weight: ${weight}; src: url('/test/visual/fonts/inter-latin-${weight}-normal.woff2') format('woff2'); }`)
    .join('\n');
  return `<!doctype html>
<html lang="en" style="color-scheme: ${theme}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>vault-connect visual (${theme})</title>
<style>
  ${faces}
  body { margin: 0; background: ${page.background}; color: ${page.text}; font: 14px/1.4 'Inter Visual', sans-serif; }
  main { box-sizing: border-box; max-width: 960px; padding: 24px 16px; }
  h1 { font-size: 18px; margin: 0 0 4px; }
  p { margin: 0 0 16px; color: ${page.muted}; }
  vault-connect { --vc-font-family: 'Inter Visual', sans-serif; }
</style>
<script type="module">
  import '/src/index.ts';
  const element = document.querySelector('vault-connect');
  element.token = ${JSON.stringify(TOKEN)};
</script>
</head>
<body>
<main>
  <h1>Integrations</h1>
  <p>Connect the tools your team already uses.</p>
  <vault-connect theme="${theme}" unify-base-url="${API}" vaultre-exchange-url="${VAULTRE_PATH}"></vault-connect>
</main>
</body>
</html>
`;
}
