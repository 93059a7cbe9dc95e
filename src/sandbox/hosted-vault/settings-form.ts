/**
 * Hosted Vault's settings form, server-rendered: a control per visible `FormField` (every value HTML-escaped; a saved
 * secret never echoed) and the settings a submitted form sets.
 */
import { inputType } from '../connection-labels.ts';
import { escapeHtml } from '../pages.ts';
import type { Connection } from '../seed/connection.ts';

function hasValue(value: unknown): boolean {
  return value !== undefined && value !== null && !(typeof value === 'string' && value.trim() === '');
}

/** The form fields the page shows and accepts. */
export function visibleFields(connection: Connection) {
  return connection.form_fields.filter((f) => !f.hidden && !f.deprecated && !f.disabled && f.type !== 'multi-select');
}

export function fieldHtml(connection: Connection, field: Connection['form_fields'][number]): string {
  const id = `field-${field.id}`;
  const current = connection.settings?.[field.id];
  const label = escapeHtml(field.label || field.id);
  if (field.type === 'checkbox') {
    const checked = current === true || current === 'true' ? ' checked' : '';
    return `<div class="checkbox"><input type="checkbox" id="${escapeHtml(id)}" name="${escapeHtml(field.id)}" value="true"${checked}><label for="${escapeHtml(id)}">${label}</label></div>`;
  }
  const sensitive = field.sensitive === true;
  // A saved secret is never echoed: the field stays empty and leaving it empty keeps the saved value.
  const keepsSecret = sensitive && hasValue(current);
  const required = field.required && !keepsSecret ? ' required' : '';
  const hint = keepsSecret ? '<span class="muted small">Saved. Leave empty to keep it.</span>' : '';
  let control: string;
  if (field.type === 'select' || field.type === 'filtered-select') {
    const options = (field.options ?? [])
      .map((option) => {
        const selected = hasValue(current) && String(current) === String(option.value) ? ' selected' : '';
        return `<option value="${escapeHtml(option.value)}"${selected}>${escapeHtml(option.label)}</option>`;
      })
      .join('');
    control = `<select id="${escapeHtml(id)}" name="${escapeHtml(field.id)}"${required}><option value="">Choose…</option>${options}</select>`;
  } else if (field.type === 'textarea') {
    control = `<textarea id="${escapeHtml(id)}" name="${escapeHtml(field.id)}" rows="3"${required}>${hasValue(current) ? escapeHtml(current) : ''}</textarea>`;
  } else {
    const value = !sensitive && hasValue(current) ? ` value="${escapeHtml(current)}"` : '';
    const placeholder = field.placeholder ? ` placeholder="${escapeHtml(field.placeholder)}"` : '';
    control = `<input type="${inputType(field.type, sensitive)}" id="${escapeHtml(id)}" name="${escapeHtml(field.id)}" autocomplete="off"${value}${placeholder}${required}>`;
  }
  return `<div class="field"><label for="${escapeHtml(id)}">${label}${field.required ? ' (required)' : ''}</label>${control}${hint}</div>`;
}

/** The settings a submitted form sets, for the fields the page showed. */
export function settingsFromForm(connection: Connection, form: URLSearchParams): Record<string, unknown> {
  const settings: Record<string, unknown> = {};
  for (const field of visibleFields(connection)) {
    if (field.type === 'checkbox') {
      settings[field.id] = form.get(field.id) === 'true';
      continue;
    }
    const raw = form.get(field.id);
    if (raw === null) continue;
    const value = raw.trim();
    if (value === '') {
      // An empty secret keeps the saved one; any other empty field clears its setting.
      if (field.sensitive !== true) settings[field.id] = null;
      continue;
    }
    settings[field.id] = field.type === 'number' && Number.isFinite(Number(value)) ? Number(value) : value;
  }
  return settings;
}
