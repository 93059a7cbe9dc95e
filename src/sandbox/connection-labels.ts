/**
 * What the emulated Vault UIs (the Vault JS modal page and Hosted Vault) show of a connection: Apideck's status label
 * and the `<input>` type of a form field. Browser-safe; loosely typed, as the modal page reads whatever the API sent.
 */

interface LabelledConnection {
  integration_state?: string | undefined;
  state?: string | undefined;
  enabled?: boolean | undefined;
  health?: string | undefined;
}

/** Apideck's status labels, in their order of precedence. */
export function statusLabel(connection: LabelledConnection): string {
  if (connection.integration_state === 'needs_configuration') return 'Needs configuration';
  if (connection.state === 'invalid') return 'Invalid configuration';
  if (connection.state === 'available') return 'Not connected';
  if (connection.enabled === false) return 'Disabled';
  if (connection.health === 'pending_confirmation') return 'Awaiting confirmation';
  if (connection.state === 'added') return 'Unauthorized';
  if (connection.state === 'authorized') return 'Input required';
  if (connection.state === 'callable') return 'Connected';
  return connection.state ?? '';
}

/** The `<input type>` for a `FormField.type`; a sensitive field is always a password input. */
export function inputType(type: string | undefined, sensitive: boolean): string {
  if (sensitive) return 'password';
  switch (type) {
    case 'email':
    case 'url':
    case 'tel':
    case 'number':
    case 'date':
    case 'time':
    case 'password':
      return type;
    case 'datetime':
      return 'datetime-local';
    default:
      return 'text';
  }
}
