/**
 * The sandbox's one `Connection` type: the subset of the OpenAPI `Connection` (spec 10.34.0) that the emulators serve,
 * every property named here declared by the spec. The seed builds it, the Vault API emulator stores and serves it,
 * Hosted Vault renders it. Type-only: the module loads in a browser too.
 */
import type {
  AuthType,
  ConnectionHealth,
  ConnectionState,
  ConnectorStatus,
  IntegrationState,
  OAuthGrantType,
} from '../../internal/api/vocabulary.ts';

/** `FormField.type` in the OpenAPI spec. */
export const FORM_FIELD_TYPES = [
  'text',
  'checkbox',
  'tel',
  'email',
  'url',
  'textarea',
  'select',
  'filtered-select',
  'multi-select',
  'datetime',
  'date',
  'time',
  'number',
  'password',
] as const;
export type FormFieldType = (typeof FORM_FIELD_TYPES)[number];

/** The unified APIs the seed spreads its connectors over. */
export const SEED_UNIFIED_APIS = ['crm', 'accounting', 'hris', 'ats', 'file-storage'] as const;
export type SeedUnifiedApi = (typeof SEED_UNIFIED_APIS)[number];

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

/** The subset of the OpenAPI `Connection` the sandbox serves. */
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
  /** Unix ms when the credentials go if refreshing keeps failing; 0: no retention window. */
  credentials_expire_at: number;
  /** Unix ms of the last failed token refresh; 0: none. */
  last_refresh_failed_at: number;
  /** Unix ms of the provider's last 502/504; 0: none (the connection stays callable, `health` reads `degraded`). */
  last_downstream_error_at: number;
  created_at: number;
  updated_at: number | null;
}
