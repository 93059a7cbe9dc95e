/**
 * The modal page's settings form: a control per `FormField` (every text from the API set with `textContent` or as a
 * property, never as HTML), and the settings read back from it.
 */
import { inputType } from '../connection-labels.ts';
import type { FormField } from './vault-modal-schemas.ts';

type Control = HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement;

/** A setting as a control's text: empty when unset, JSON for anything but a string, number or boolean. */
function text(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

function checkboxField(field: FormField, id: string, value: unknown): HTMLElement {
  const wrapper = document.createElement('div');
  wrapper.className = 'checkbox';
  const box = document.createElement('input');
  box.type = 'checkbox';
  box.id = id;
  box.name = field.id;
  box.checked = value === true || value === 'true';
  box.disabled = !!field.disabled;
  box.dataset.kind = 'checkbox';
  const label = document.createElement('label');
  label.htmlFor = id;
  label.textContent = field.label || field.id;
  wrapper.append(box, label);
  return wrapper;
}

function control(field: FormField, value: unknown): Control {
  if (field.type === 'select' || field.type === 'filtered-select') {
    const select = document.createElement('select');
    const empty = document.createElement('option');
    empty.value = '';
    empty.textContent = 'Choose…';
    select.append(empty);
    for (const option of field.options ?? []) {
      if (option.option_type === 'group') continue;
      const element = document.createElement('option');
      element.value = String(option.value);
      element.textContent = option.label;
      select.append(element);
    }
    select.value = text(value);
    return select;
  }
  if (field.type === 'textarea') {
    const textarea = document.createElement('textarea');
    textarea.rows = 3;
    textarea.value = text(value);
    return textarea;
  }
  const input = document.createElement('input');
  input.type = inputType(field.type, !!field.sensitive);
  input.autocomplete = 'off';
  input.value = text(value);
  if (field.type === 'number') input.dataset.kind = 'number';
  return input;
}

/** The form row for one field, filled with its current setting. */
export function renderField(field: FormField, value: unknown): HTMLElement {
  const id = `field-${field.id}`;
  if (field.type === 'checkbox') return checkboxField(field, id, value);
  const wrapper = document.createElement('div');
  wrapper.className = 'field';
  const label = document.createElement('label');
  label.htmlFor = id;
  label.textContent = (field.label || field.id) + (field.required ? ' (required)' : '');
  const input = control(field, value);
  input.id = id;
  input.name = field.id;
  input.required = !!field.required;
  input.disabled = !!field.disabled;
  if (field.placeholder && !(input instanceof HTMLSelectElement)) input.placeholder = field.placeholder;
  wrapper.append(label);
  if (field.prefix || field.suffix) {
    const affix = document.createElement('div');
    affix.className = 'affix';
    if (field.prefix) {
      const prefix = document.createElement('span');
      prefix.textContent = field.prefix;
      affix.append(prefix);
    }
    affix.append(input);
    if (field.suffix) {
      const suffix = document.createElement('span');
      suffix.textContent = field.suffix;
      affix.append(suffix);
    }
    wrapper.append(affix);
  } else {
    wrapper.append(input);
  }
  if (field.description) {
    const hint = document.createElement('span');
    hint.className = 'hint';
    hint.id = `${id}-hint`;
    hint.textContent = field.description;
    input.setAttribute('aria-describedby', hint.id);
    wrapper.append(hint);
  }
  return wrapper;
}

/** The settings the form holds: checkboxes as booleans, number fields as numbers, an emptied field as `null`. */
export function readSettings(container: HTMLElement): Record<string, unknown> {
  const settings: Record<string, unknown> = {};
  for (const element of container.querySelectorAll<Control>('input, select, textarea')) {
    if (element.disabled) continue;
    if (element instanceof HTMLInputElement && element.dataset.kind === 'checkbox') {
      settings[element.name] = element.checked;
      continue;
    }
    const value = element.value.trim();
    if (value === '') settings[element.name] = null;
    else settings[element.name] = element.dataset.kind === 'number' ? Number(value) : value;
  }
  return settings;
}
