/**
 * The sandbox's connector catalogue: realistic Apideck Vault connectors across five unified APIs, covering every
 * connection state, an integration that needs configuration, a disabled connection and every auth type the element
 * handles. Pure data; `seed.ts` turns each definition into a `Connection`.
 */
import type { AuthType, ConnectionState, IntegrationState, OAuthGrantType } from '../../internal/api/vocabulary.ts';
import type { FormField, SeedUnifiedApi } from './connection.ts';
import { apiKeyField, clientIdField, clientSecretField, field, passwordField, usernameField } from './form-fields.ts';

/** A connector as the catalogue writes it; what `seed.ts` derives (id, icon, URLs, health, timestamps) is left out. */
export interface ConnectorDefinition {
  service_id: string;
  name: string;
  tag_line: string;
  unified_api: SeedUnifiedApi;
  website: string;
  /** The colour of its generated icon and logo. */
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

export const CONNECTORS: readonly ConnectorDefinition[] = [
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
