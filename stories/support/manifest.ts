/**
 * What the stories read from `custom-elements.json` (generated from the element's class JSDoc, the API contract): the
 * attributes the render function sets and their Controls, the component description for the docs page. A new
 * attribute in the class shows up in the Controls and reaches the element without touching the stories.
 */
import type { ArgTypes } from '@storybook/web-components-vite';
import type { InputType } from 'storybook/internal/types';
import manifest from '../../custom-elements.json';
import { LOCALES, OPEN_MODES, THEMES } from '../../src/internal/api/vocabulary.ts';

interface ManifestType {
  text?: string;
}

interface ManifestAttribute {
  name: string;
  fieldName?: string;
  description?: string;
  type?: ManifestType;
  default?: string;
}

interface ManifestMember {
  kind: string;
  name: string;
  privacy?: string;
  static?: boolean;
  attribute?: string;
  description?: string;
  type?: ManifestType;
}

interface ManifestNamed {
  name: string;
  description?: string;
}

export interface ManifestDeclaration {
  tagName?: string;
  summary?: string;
  description?: string;
  attributes?: ManifestAttribute[];
  members?: ManifestMember[];
  events?: ManifestNamed[];
  cssProperties?: ManifestNamed[];
  cssParts?: ManifestNamed[];
}

interface Manifest {
  modules: { declarations?: ManifestDeclaration[] }[];
}

export const TAG_NAME = 'vault-connect';

export const declaration: ManifestDeclaration = (() => {
  for (const module of (manifest as Manifest).modules) {
    const found = module.declarations?.find((d) => d.tagName === TAG_NAME);
    if (found) return found;
  }
  throw new Error(`custom-elements.json has no <${TAG_NAME}>: run \`npm run manifest\``);
})();

const isPublic = (item: { name: string; privacy?: string }) => !item.name.startsWith('#') && (item.privacy ?? 'public') === 'public';

/** Reactive state the analyzer lists as an attribute (Lit's `{state: true}`), kept out of the Controls. */
const privateFields = new Set((declaration.members ?? []).filter((m) => !isPublic(m)).map((m) => m.name));

/** The element's public attributes, in the manifest's order. */
export const ATTRIBUTES: readonly ManifestAttribute[] = (declaration.attributes ?? []).filter(
  (a) => isPublic(a) && !privateFields.has(a.fieldName ?? ''),
);

/** The element's public properties that have no attribute (`token`, `vaultModal`, `strings`, …). */
export const PROPERTIES: readonly ManifestMember[] = (declaration.members ?? []).filter(
  (m) => m.kind === 'field' && isPublic(m) && !m.static && !m.attribute,
);

/** The element's CSS custom properties (`--vc-*`): each is a text Control that sets it on the element. */
export const CSS_PROPERTIES: readonly ManifestNamed[] = (declaration.cssProperties ?? []).filter((p) => p.name.startsWith('--'));

/** The closed sets behind the type aliases the manifest names (it records `OpenMode`, not its values). */
const ALIASES: Record<string, readonly string[]> = { OpenMode: OPEN_MODES, Locale: LOCALES, Theme: THEMES };

/** The values of a union of string literals (`'account' | 'user'`), or `undefined` for any other type. */
function literals(text: string): string[] | undefined {
  const parts = text.split('|').map((part) => part.trim()).filter((part) => part !== 'undefined');
  const values: string[] = [];
  for (const part of parts) {
    const value = /^'([^']*)'$/.exec(part)?.[1];
    if (value === undefined) return undefined;
    values.push(value);
  }
  return values.length > 0 ? values : undefined;
}

/** A Control for a manifest type: radio/select for closed sets, number, text. */
export function controlFor(typeText: string | undefined): Partial<Pick<InputType, 'control' | 'options'>> {
  const text = (typeText ?? 'string').trim();
  const options = ALIASES[text] ?? literals(text);
  if (options) return { control: options.length <= 3 ? 'inline-radio' : 'select', options: [...options] };
  if (/^number(\s*\|\s*undefined)?$/.test(text)) return { control: 'number' };
  if (/^boolean(\s*\|\s*undefined)?$/.test(text)) return { control: 'boolean' };
  return { control: 'text' };
}

/** The manifest's summary and description, for the docs page. */
export const COMPONENT_DESCRIPTION = [declaration.summary, declaration.description].filter(Boolean).join('\n\n');

/**
 * argTypes for every attribute (keyed by attribute name, with its description, type, default and a Control), the
 * camelCase property rows that duplicate an attribute hidden, and private members left out of the docs table.
 * Storybook merges these over the rows it extracts from the same manifest.
 */
export function manifestArgTypes(): ArgTypes {
  const argTypes: ArgTypes = {};
  for (const attribute of ATTRIBUTES) {
    argTypes[attribute.name] = {
      name: attribute.name,
      description: attribute.description ?? '',
      ...controlFor(attribute.type?.text),
      table: {
        category: 'attributes',
        type: { summary: attribute.type?.text ?? 'string' },
        ...(attribute.default !== undefined ? { defaultValue: { summary: attribute.default } } : {}),
      },
    };
  }
  for (const member of declaration.members ?? []) {
    if (member.kind === 'method') continue;
    if (!isPublic(member) || member.static) argTypes[member.name] = { table: { disable: true } };
    else if (member.attribute && argTypes[member.attribute]) argTypes[member.name] = { table: { disable: true } };
  }
  // The analyzer lists Lit's `{state: true}` fields as attributes too.
  for (const attribute of declaration.attributes ?? []) {
    if (!ATTRIBUTES.includes(attribute)) argTypes[attribute.name] = { table: { disable: true } };
  }
  for (const property of CSS_PROPERTIES) {
    argTypes[property.name] = {
      name: property.name,
      description: property.description ?? '',
      control: 'text',
      table: { category: 'css custom properties', type: { summary: 'CSS value' } },
    };
  }
  // Events and parts are documented, not set: no Control.
  for (const event of declaration.events ?? []) argTypes[event.name] = { control: false };
  for (const part of declaration.cssParts ?? []) argTypes[part.name] = { control: false };
  return argTypes;
}
