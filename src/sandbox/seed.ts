/**
 * The sandbox's connector catalogue: realistic Apideck Vault `Connection` objects (OpenAPI spec 10.34.0) across five
 * unified APIs, covering every connection state, an integration that needs configuration, a disabled connection and
 * every auth type the element handles. Icons and logos are `data:` URLs so that nothing is fetched from the network.
 * No Node imports: the module loads in a browser too.
 */
import type {
  AuthType,
  ConnectionHealth,
  ConnectionState,
  ConnectorStatus,
  IntegrationState,
  OAuthGrantType,
} from '../api/vocabulary.ts';

/** `FormField.type` in the OpenAPI spec. */
export type FormFieldType =
  | 'text'
  | 'checkbox'
  | 'tel'
  | 'email'
  | 'url'
  | 'textarea'
  | 'select'
  | 'filtered-select'
  | 'multi-select'
  | 'datetime'
  | 'date'
  | 'time'
  | 'number'
  | 'password';

/** `SimpleFormFieldOption` in the OpenAPI spec. */
export interface SimpleFormFieldOption {
  label: string;
  value: string | number | boolean;
  option_type: 'simple';
}

/**
 * `FormField` in the OpenAPI spec. `value` and `mask` are not declared properties of the schema, but the spec's own
 * `Connection.form_fields` example (and `@apideck/vault-js`'s `FormField` type) carry them: `value` mirrors the setting.
 */
export interface FormField {
  id: string;
  label: string;
  placeholder: string | null;
  description: string | null;
  type: FormFieldType;
  required: boolean;
  custom_field: boolean;
  allow_custom_values: boolean;
  disabled: boolean | null;
  hidden: boolean | null;
  deprecated: boolean | null;
  sensitive: boolean | null;
  prefix: string | null;
  suffix: string | null;
  options?: SimpleFormFieldOption[];
  value?: unknown;
  mask: boolean;
}

/** The subset of the OpenAPI `Connection` the sandbox serves (every property named here is declared by the spec). */
export interface Connection {
  id: string;
  service_id: string;
  name: string;
  tag_line: string;
  unified_api: SeedUnifiedApi;
  state: ConnectionState;
  integration_state: IntegrationState;
  auth_type: AuthType;
  oauth_grant_type?: OAuthGrantType;
  status: ConnectorStatus;
  enabled: boolean;
  website: string;
  icon: string;
  logo: string;
  authorize_url: string | null;
  revoke_url: string | null;
  settings: Record<string, unknown> | null;
  metadata: Record<string, unknown> | null;
  form_fields: FormField[];
  settings_required_for_authorization?: string[];
  configurable_resources: string[];
  has_guide: boolean;
  health: ConnectionHealth;
  created_at: number;
  updated_at: number | null;
}

/** The unified APIs the seed spreads its connectors over. */
export const SEED_UNIFIED_APIS = ['crm', 'accounting', 'hris', 'ats', 'file-storage'] as const;
export type SeedUnifiedApi = (typeof SEED_UNIFIED_APIS)[number];

export interface SeedOptions {
  /** The Vault API's own public origin, e.g. `http://127.0.0.1:4010`; used in `authorize_url` and `revoke_url`. */
  vaultApiUrl: string;
  applicationId: string;
  /** Appends this many synthetic connectors ("Connector 0001", …) for benchmarks. */
  extra?: number;
  /** Makes the opaque `state` of an oauth2 connection's `authorize_url`/`revoke_url`. Default: random. */
  authorizeState?: (unifiedApi: string, serviceId: string) => string;
}

// ---------------------------------------------------------------------------------------------------------------------
// Images

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function svgDataUrl(svg: string): string {
  return `data:image/svg+xml,${encodeURIComponent(svg)}`;
}

/** A coloured rounded square with the connector's initial, as a `data:image/svg+xml` URL. */
export function iconDataUrl(name: string, color: string): string {
  const initial = escapeXml((name.trim()[0] ?? '?').toUpperCase());
  return svgDataUrl(
    '<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64" viewBox="0 0 64 64">' +
      `<rect width="64" height="64" rx="14" fill="${color}"/>` +
      '<text x="32" y="43" font-family="Helvetica,Arial,sans-serif" font-size="30" font-weight="700" fill="#fff" text-anchor="middle">' +
      `${initial}</text></svg>`,
  );
}

/** A wide logo: the icon's square followed by the name, as a `data:image/svg+xml` URL. */
export function logoDataUrl(name: string, color: string): string {
  const initial = escapeXml((name.trim()[0] ?? '?').toUpperCase());
  return svgDataUrl(
    '<svg xmlns="http://www.w3.org/2000/svg" width="240" height="64" viewBox="0 0 240 64">' +
      `<rect width="64" height="64" rx="14" fill="${color}"/>` +
      '<text x="32" y="43" font-family="Helvetica,Arial,sans-serif" font-size="30" font-weight="700" fill="#fff" text-anchor="middle">' +
      `${initial}</text>` +
      `<text x="76" y="41" font-family="Helvetica,Arial,sans-serif" font-size="22" font-weight="600" fill="${color}">` +
      `${escapeXml(name)}</text></svg>`,
  );
}

// ---------------------------------------------------------------------------------------------------------------------
// Form fields

function field(id: string, label: string, options: Partial<FormField> = {}): FormField {
  return {
    id,
    label,
    placeholder: '',
    description: null,
    type: 'text',
    required: true,
    custom_field: false,
    allow_custom_values: false,
    disabled: false,
    hidden: false,
    deprecated: false,
    sensitive: false,
    prefix: null,
    suffix: null,
    mask: false,
    ...options,
  };
}

const apiKeyField = (label = 'API Key'): FormField =>
  field('api_key', label, { type: 'password', sensitive: true, placeholder: 'Paste your API key' });
const usernameField = (label = 'Username'): FormField => field('username', label);
const passwordField = (): FormField => field('password', 'Password', { type: 'password', sensitive: true });
const clientIdField = (): FormField => field('client_id', 'Client ID');
const clientSecretField = (): FormField =>
  field('client_secret', 'Client secret', { type: 'password', sensitive: true });

// ---------------------------------------------------------------------------------------------------------------------
// Rules shared with the Vault API emulator

/** Whether a setting counts as filled in. */
export function hasValue(value: unknown): boolean {
  if (value === undefined || value === null) return false;
  if (typeof value === 'string') return value.trim() !== '';
  if (Array.isArray(value)) return value.length > 0;
  return true;
}

/** The ids of required form fields whose setting is empty. */
export function missingRequiredSettings(connection: Pick<Connection, 'form_fields' | 'settings'>): string[] {
  const settings = connection.settings ?? {};
  return connection.form_fields.filter((f) => f.required && !hasValue(settings[f.id])).map((f) => f.id);
}

/** The ids in `settings_required_for_authorization` whose setting is empty. */
export function missingAuthorizationSettings(
  connection: Pick<Connection, 'settings_required_for_authorization' | 'settings'>,
): string[] {
  const settings = connection.settings ?? {};
  return (connection.settings_required_for_authorization ?? []).filter((id) => !hasValue(settings[id]));
}

/** `health` as Apideck derives it from the state, unless the connection awaits confirmation. */
export function deriveHealth(connection: Pick<Connection, 'state' | 'auth_type' | 'form_fields' | 'settings'>): ConnectionHealth {
  switch (connection.state) {
    case 'callable':
      return 'ok';
    case 'invalid':
      return 'needs_auth';
    case 'authorized':
      return 'missing_settings';
    case 'added':
    case 'available':
      if (connection.auth_type === 'oauth2') {
        return missingRequiredSettings(connection).length > 0 && connection.state === 'added' ? 'missing_settings' : 'needs_auth';
      }
      return 'missing_settings';
  }
}

/** Copies each setting into its form field's `value`, as Apideck does. */
export function syncFormFieldValues(connection: Connection): void {
  const settings = connection.settings ?? {};
  for (const f of connection.form_fields) {
    if (f.id in settings) f.value = settings[f.id];
    else delete f.value;
  }
}

// ---------------------------------------------------------------------------------------------------------------------
// The catalogue

interface ConnectorDefinition {
  service_id: string;
  name: string;
  tag_line: string;
  unified_api: SeedUnifiedApi;
  website: string;
  color: string;
  auth_type: AuthType;
  oauth_grant_type?: OAuthGrantType;
  state: ConnectionState;
  integration_state?: IntegrationState;
  enabled?: boolean;
  form_fields?: FormField[];
  settings?: Record<string, unknown> | null;
  metadata?: Record<string, unknown> | null;
  settings_required_for_authorization?: string[];
  configurable_resources?: string[];
}

const CONNECTORS: readonly ConnectorDefinition[] = [
  // CRM
  {
    service_id: 'salesforce',
    name: 'Salesforce',
    tag_line: 'CRM software solutions and enterprise cloud computing from Salesforce, the leader in customer relationship management.',
    unified_api: 'crm',
    website: 'https://www.salesforce.com',
    color: '#00A1E0',
    auth_type: 'oauth2',
    oauth_grant_type: 'authorization_code',
    state: 'callable',
    form_fields: [field('instance_url', 'Instance URL', { type: 'url', placeholder: 'https://eu28.salesforce.com' })],
    settings: { instance_url: 'https://eu28.salesforce.com' },
    metadata: { account: { name: 'Acme Inc.', id: '00D5g000004bWxY' } },
    configurable_resources: ['leads', 'contacts', 'companies', 'opportunities'],
  },
  {
    service_id: 'hubspot',
    name: 'HubSpot',
    tag_line: 'HubSpot offers a full platform of marketing, sales, customer service, and CRM software.',
    unified_api: 'crm',
    website: 'https://www.hubspot.com',
    color: '#FF7A59',
    auth_type: 'oauth2',
    oauth_grant_type: 'authorization_code',
    state: 'authorized',
    form_fields: [
      field('pipeline_id', 'Default pipeline', {
        type: 'select',
        options: [
          { label: 'Sales pipeline', value: 'default', option_type: 'simple' },
          { label: 'Partner pipeline', value: 'partners', option_type: 'simple' },
        ],
      }),
    ],
    settings: {},
    configurable_resources: ['contacts', 'companies', 'opportunities'],
  },
  {
    service_id: 'pipedrive',
    name: 'Pipedrive',
    tag_line: 'Pipedrive is the easy-to-use, #1 user-rated CRM tool. Get more qualified leads and grow your business.',
    unified_api: 'crm',
    website: 'https://www.pipedrive.com',
    color: '#1A1A1A',
    auth_type: 'apiKey',
    state: 'available',
    form_fields: [apiKeyField('API Token'), field('company_domain', 'Company domain', { required: false, suffix: '.pipedrive.com' })],
  },
  {
    service_id: 'zoho-crm',
    name: 'Zoho CRM',
    tag_line: 'Zoho CRM acts as a single repository to bring your sales, marketing, and customer support activities together.',
    unified_api: 'crm',
    website: 'https://www.zoho.com/crm',
    color: '#E42527',
    auth_type: 'oauth2',
    oauth_grant_type: 'authorization_code',
    state: 'available',
    integration_state: 'needs_configuration',
    settings_required_for_authorization: ['client_id', 'client_secret'],
  },
  {
    service_id: 'close',
    name: 'Close',
    tag_line: 'Close is the inside sales CRM of choice for startups and SMBs.',
    unified_api: 'crm',
    website: 'https://www.close.com',
    color: '#2F5BEA',
    auth_type: 'apiKey',
    state: 'callable',
    enabled: false,
    form_fields: [apiKeyField()],
    settings: { api_key: 'api_sandbox_close_3f9a71' },
  },
  // Accounting
  {
    service_id: 'quickbooks',
    name: 'QuickBooks',
    tag_line: 'Accounting software for small businesses: invoicing, expenses, payroll and tax, in the cloud.',
    unified_api: 'accounting',
    website: 'https://quickbooks.intuit.com',
    color: '#2CA01C',
    auth_type: 'oauth2',
    oauth_grant_type: 'authorization_code',
    state: 'callable',
    form_fields: [field('realm_id', 'Company ID (realm)', { disabled: true, required: false })],
    settings: { realm_id: '4620816365164357123' },
    metadata: { account: { name: 'Acme Books', id: '4620816365164357123' } },
    configurable_resources: ['invoices', 'customers', 'ledger-accounts'],
  },
  {
    service_id: 'xero',
    name: 'Xero',
    tag_line: 'Beautiful online accounting software for small businesses.',
    unified_api: 'accounting',
    website: 'https://www.xero.com',
    color: '#13B5EA',
    auth_type: 'oauth2',
    oauth_grant_type: 'authorization_code',
    state: 'available',
    configurable_resources: ['invoices', 'bills', 'customers'],
  },
  {
    service_id: 'exact-online',
    name: 'Exact Online',
    tag_line: 'Cloud business software for accountancy, CRM, manufacturing and more.',
    unified_api: 'accounting',
    website: 'https://www.exact.com',
    color: '#E8112D',
    auth_type: 'oauth2',
    oauth_grant_type: 'authorization_code',
    state: 'added',
    form_fields: [
      field('division', 'Division', { required: false, type: 'number' }),
      field('region', 'Region', {
        type: 'select',
        options: [
          { label: 'Netherlands', value: 'nl', option_type: 'simple' },
          { label: 'Belgium', value: 'be', option_type: 'simple' },
          { label: 'United Kingdom', value: 'uk', option_type: 'simple' },
        ],
      }),
    ],
    settings: { region: 'nl' },
    settings_required_for_authorization: ['region'],
  },
  {
    service_id: 'myob',
    name: 'MYOB',
    tag_line: 'Business management software for accounting, payroll and more, in Australia and New Zealand.',
    unified_api: 'accounting',
    website: 'https://www.myob.com',
    color: '#6100A5',
    auth_type: 'oauth2',
    oauth_grant_type: 'authorization_code',
    state: 'invalid',
    form_fields: [field('company_file_id', 'Company file ID')],
    settings: { company_file_id: 'a8b1f4c2-0000-4d6e-9a3b-myob-sandbox' },
  },
  {
    service_id: 'sage-intacct',
    name: 'Sage Intacct',
    tag_line: 'Cloud financial management for growing organisations.',
    unified_api: 'accounting',
    website: 'https://www.sage.com',
    color: '#00D639',
    auth_type: 'basic',
    state: 'available',
    form_fields: [field('company_id', 'Company ID'), usernameField('User ID'), passwordField()],
  },
  // HRIS
  {
    service_id: 'bamboohr',
    name: 'BambooHR',
    tag_line: 'HR software for small and medium businesses.',
    unified_api: 'hris',
    website: 'https://www.bamboohr.com',
    color: '#73C41D',
    auth_type: 'apiKey',
    state: 'added',
    form_fields: [
      field('subdomain', 'Subdomain', { prefix: 'https://', suffix: '.bamboohr.com', placeholder: 'acme' }),
      apiKeyField(),
    ],
    settings: { subdomain: 'acme' },
  },
  {
    service_id: 'personio',
    name: 'Personio',
    tag_line: 'The all-in-one HR software for small and medium-sized companies.',
    unified_api: 'hris',
    website: 'https://www.personio.com',
    color: '#2B2B2B',
    auth_type: 'oauth2',
    oauth_grant_type: 'client_credentials',
    state: 'available',
    form_fields: [clientIdField(), clientSecretField()],
    settings_required_for_authorization: ['client_id', 'client_secret'],
  },
  {
    service_id: 'bob',
    name: 'HiBob',
    tag_line: 'Bob is the HR platform for modern, mid-sized businesses.',
    unified_api: 'hris',
    website: 'https://www.hibob.com',
    color: '#E6406A',
    auth_type: 'basic',
    state: 'callable',
    form_fields: [usernameField('Service user ID'), field('password', 'Service user token', { type: 'password', sensitive: true })],
    settings: { username: 'SERVICE-5123', password: 'sandbox-bob-token-77a1' },
  },
  {
    service_id: 'gusto',
    name: 'Gusto',
    tag_line: 'Payroll, benefits and HR for small businesses.',
    unified_api: 'hris',
    website: 'https://gusto.com',
    color: '#F45D48',
    auth_type: 'oauth2',
    oauth_grant_type: 'authorization_code',
    state: 'available',
  },
  // ATS
  {
    service_id: 'greenhouse',
    name: 'Greenhouse',
    tag_line: 'Greenhouse is the hiring software that helps companies become great at hiring.',
    unified_api: 'ats',
    website: 'https://www.greenhouse.io',
    color: '#24A47F',
    auth_type: 'apiKey',
    state: 'available',
    form_fields: [apiKeyField('Harvest API key')],
  },
  {
    service_id: 'lever',
    name: 'Lever',
    tag_line: 'Lever is the complete talent acquisition suite that makes hiring easy.',
    unified_api: 'ats',
    website: 'https://www.lever.co',
    color: '#3C4654',
    auth_type: 'oauth2',
    oauth_grant_type: 'authorization_code',
    state: 'available',
  },
  {
    service_id: 'workable',
    name: 'Workable',
    tag_line: 'Workable is the all-in-one hiring solution.',
    unified_api: 'ats',
    website: 'https://www.workable.com',
    color: '#1E9DD8',
    auth_type: 'apiKey',
    state: 'invalid',
    form_fields: [field('subdomain', 'Subdomain', { suffix: '.workable.com' }), apiKeyField('Access token')],
    settings: { subdomain: 'acme', api_key: 'expired-sandbox-token' },
  },
  {
    service_id: 'teamtailor',
    name: 'Teamtailor',
    tag_line: 'The applicant tracking system for companies that care about employer branding.',
    unified_api: 'ats',
    website: 'https://www.teamtailor.com',
    color: '#F4325B',
    auth_type: 'apiKey',
    state: 'callable',
    form_fields: [apiKeyField()],
    settings: { api_key: 'tt-sandbox-key-52c0' },
  },
  // File storage
  {
    service_id: 'google-drive',
    name: 'Google Drive',
    tag_line: 'Store, share and access your files from any device.',
    unified_api: 'file-storage',
    website: 'https://www.google.com/drive',
    color: '#1FA463',
    auth_type: 'oauth2',
    oauth_grant_type: 'authorization_code',
    state: 'callable',
    settings: {},
    metadata: { account: { name: 'acme.example', id: 'acme-drive' } },
  },
  {
    service_id: 'dropbox',
    name: 'Dropbox',
    tag_line: 'Dropbox is a modern workspace designed to keep teams in sync.',
    unified_api: 'file-storage',
    website: 'https://www.dropbox.com',
    color: '#0061FF',
    auth_type: 'oauth2',
    oauth_grant_type: 'authorization_code',
    state: 'available',
  },
  {
    service_id: 'sharepoint',
    name: 'SharePoint',
    tag_line: 'Share and manage content, knowledge and applications to empower teamwork.',
    unified_api: 'file-storage',
    website: 'https://www.microsoft.com/microsoft-365/sharepoint',
    color: '#038387',
    auth_type: 'oauth2',
    oauth_grant_type: 'authorization_code',
    state: 'available',
    form_fields: [field('site_url', 'Site URL', { type: 'url', placeholder: 'https://acme.sharepoint.com/sites/team' })],
  },
  {
    service_id: 'box',
    name: 'Box',
    tag_line: 'Secure file sharing, storage and collaboration.',
    unified_api: 'file-storage',
    website: 'https://www.box.com',
    color: '#0061D5',
    auth_type: 'oauth2',
    oauth_grant_type: 'authorization_code',
    state: 'added',
    settings: {},
  },
];

const SYNTHETIC_COLORS = ['#5B5BD6', '#0091FF', '#12A594', '#E5484D', '#F76B15', '#8E4EC6'];
const SYNTHETIC_STATES: Record<'oauth2' | 'apiKey' | 'basic', readonly ConnectionState[]> = {
  oauth2: ['available', 'added', 'authorized', 'callable', 'invalid', 'callable'],
  apiKey: ['available', 'added', 'callable', 'invalid', 'callable'],
  basic: ['available', 'callable', 'added', 'callable', 'invalid'],
};

function syntheticDefinition(index: number): ConnectorDefinition {
  const number = String(index).padStart(4, '0');
  const auth_type = (['oauth2', 'apiKey', 'basic'] as const)[index % 3];
  const states = SYNTHETIC_STATES[auth_type];
  const state = states[Math.floor(index / 3) % states.length];
  const unified_api = SEED_UNIFIED_APIS[index % SEED_UNIFIED_APIS.length];
  const form_fields =
    auth_type === 'apiKey' ? [apiKeyField()] : auth_type === 'basic' ? [usernameField(), passwordField()] : [field('account_id', 'Account ID')];
  const filled = state === 'callable' || state === 'invalid';
  const settings: Record<string, unknown> = {};
  if (filled) for (const f of form_fields) settings[f.id] = f.sensitive ? `sandbox-secret-${number}` : `account-${number}`;
  return {
    service_id: `connector-${number}`,
    name: `Connector ${number}`,
    tag_line: `Synthetic ${unified_api} connector number ${number}, for benchmarks.`,
    unified_api,
    website: `https://connector-${number}.example.com`,
    color: SYNTHETIC_COLORS[index % SYNTHETIC_COLORS.length],
    auth_type,
    ...(auth_type === 'oauth2' ? { oauth_grant_type: 'authorization_code' as const } : {}),
    state,
    enabled: index % 17 !== 0,
    form_fields,
    settings: state === 'available' ? null : settings,
  };
}

/** 2025-01-01T09:00:00Z: seed timestamps are fixed so that runs are reproducible. */
const SEED_EPOCH = Date.UTC(2025, 0, 1, 9, 0, 0);
const HOUR = 3_600_000;

/** 18 random bytes, base64url-encoded; Web Crypto only, so this module also loads in a browser. */
function randomState(): string {
  const bytes = globalThis.crypto.getRandomValues(new Uint8Array(18));
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function buildConnection(def: ConnectorDefinition, index: number, options: SeedOptions): Connection {
  const { vaultApiUrl, applicationId } = options;
  const base = vaultApiUrl.replace(/\/+$/, '');
  const isOAuth = def.auth_type === 'oauth2';
  const state = isOAuth ? (options.authorizeState ?? randomState)(def.unified_api, def.service_id) : '';
  const appSegment = encodeURIComponent(applicationId);
  const created_at = SEED_EPOCH + index * 24 * HOUR;
  const connection: Connection = {
    id: `${def.unified_api}+${def.service_id}`,
    service_id: def.service_id,
    name: def.name,
    tag_line: def.tag_line,
    unified_api: def.unified_api,
    state: def.state,
    integration_state: def.integration_state ?? 'configured',
    auth_type: def.auth_type,
    ...(isOAuth ? { oauth_grant_type: def.oauth_grant_type ?? 'authorization_code' } : {}),
    status: 'live',
    enabled: def.enabled ?? true,
    website: def.website,
    icon: iconDataUrl(def.name, def.color),
    logo: logoDataUrl(def.name, def.color),
    authorize_url: isOAuth
      ? `${base}/vault/authorize/${encodeURIComponent(def.service_id)}/${appSegment}?state=${encodeURIComponent(state)}`
      : null,
    revoke_url: isOAuth
      ? `${base}/vault/revoke/${encodeURIComponent(def.service_id)}/${appSegment}?state=${encodeURIComponent(state)}`
      : null,
    settings: def.settings === undefined ? (def.state === 'available' ? null : {}) : structuredClone(def.settings),
    metadata: def.metadata === undefined ? null : structuredClone(def.metadata),
    form_fields: structuredClone(def.form_fields ?? []),
    ...(def.settings_required_for_authorization
      ? { settings_required_for_authorization: [...def.settings_required_for_authorization] }
      : {}),
    configurable_resources: [...(def.configurable_resources ?? [])],
    has_guide: index % 2 === 0,
    health: 'ok',
    created_at,
    updated_at: def.state === 'available' ? null : created_at + 2 * HOUR,
  };
  connection.health = deriveHealth(connection);
  syncFormFieldValues(connection);
  return connection;
}

/** The number of hand-written connectors (synthetic ones from `extra` come after them). */
export const SEED_CONNECTOR_COUNT = CONNECTORS.length;

/** Fresh, independent copies of the catalogue (plus `extra` synthetic connectors), in a stable order. */
export function seedConnections(options: SeedOptions): Connection[] {
  const extra = Math.max(0, Math.floor(options.extra ?? 0));
  const definitions = [...CONNECTORS];
  for (let i = 1; i <= extra; i++) definitions.push(syntheticDefinition(i));
  return definitions.map((def, index) => buildConnection(def, index, options));
}
