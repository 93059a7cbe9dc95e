/** Builders for the seed's `FormField`s: every field filled in with Apideck's defaults, then the given overrides. */
import type { FormField } from './connection.ts';

export function field(id: string, label: string, options: Partial<FormField> = {}): FormField {
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

export const apiKeyField = (label = 'API Key'): FormField =>
  field('api_key', label, { type: 'password', sensitive: true, placeholder: 'Paste your API key' });
export const usernameField = (label = 'Username'): FormField => field('username', label);
export const passwordField = (): FormField => field('password', 'Password', { type: 'password', sensitive: true });
export const clientIdField = (): FormField => field('client_id', 'Client ID');
export const clientSecretField = (): FormField => field('client_secret', 'Client secret', { type: 'password', sensitive: true });
