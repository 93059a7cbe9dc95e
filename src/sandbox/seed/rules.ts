/**
 * Apideck's rules for a connection's settings and `health`, shared by the seed and the Vault API emulator (and so by
 * Hosted Vault, which goes through it). Browser-safe.
 */
import type { ConnectionHealth } from '../../internal/api/vocabulary.ts';
import type { Connection } from './connection.ts';

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
