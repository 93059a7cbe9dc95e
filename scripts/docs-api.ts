/**
 * `npm run docs:api`: writes docs/api.md, the element's reference, from custom-elements.json (attributes, properties,
 * methods, events, CSS parts and custom properties, all from the class JSDoc) and from the closed sets in
 * src/internal/api/vocabulary.ts with their English labels (error codes, statuses, actions).
 * `--check` writes nothing and fails when docs/api.md differs from what it would write (`npm test` runs it after the
 * build, which regenerates the manifest).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { en } from '../src/i18n/en.ts';
import { CONNECTION_STATUSES, ERROR_CODES, ROW_ACTIONS } from '../src/internal/api/vocabulary.ts';

interface Typed {
  text: string;
}
interface Attribute {
  name: string;
  fieldName?: string;
  type?: Typed;
  default?: string;
  description?: string;
  deprecated?: string | boolean;
}
interface Member {
  kind: 'field' | 'method';
  name: string;
  privacy?: string;
  static?: boolean;
  type?: Typed;
  default?: string;
  description?: string;
  deprecated?: string | boolean;
  parameters?: { name: string; optional?: boolean; type?: Typed }[];
  return?: { type?: Typed };
}
interface Named {
  name: string;
  description?: string;
}
interface Declaration {
  kind: string;
  name: string;
  tagName?: string;
  summary?: string;
  description?: string;
  attributes?: Attribute[];
  members?: Member[];
  events?: Named[];
  cssParts?: Named[];
  cssProperties?: Named[];
  superclass?: { name: string };
}
interface Manifest {
  modules: { path: string; declarations?: Declaration[] }[];
}

const root = new URL('../', import.meta.url);
const OUTPUT = 'docs/api.md';

/** One table cell: a description's lines joined, and `|` escaped so that it cannot end the cell. */
function cell(text: string | boolean | undefined): string {
  if (text === undefined || text === false || text === true) return '';
  return text.split('\n').map((line) => line.trim()).join(' ').replaceAll('|', '\\|');
}
/** A code span; one holding a backtick is fenced with two (`` `${number}` ``). */
const code = (text: string | undefined): string => {
  if (!text) return '';
  return cell(text.includes('`') ? `\`\` ${text} \`\`` : `\`${text}\``);
};
const table = (head: string[], rows: string[][]): string =>
  [`| ${head.join(' | ')} |`, `| ${head.map(() => '---').join(' | ')} |`, ...rows.map((row) => `| ${row.join(' | ')} |`)].join('\n');
const described = (item: { description?: string; deprecated?: string | boolean }): string =>
  item.deprecated ? `**Deprecated.** ${cell(item.deprecated)}` : cell(item.description);

function fail(message: string): never {
  console.error(`docs:api: ${message}`);
  process.exit(1);
}

function render(manifest: Manifest): string {
  const declarations = manifest.modules.flatMap((module) => module.declarations ?? []);
  const element = declarations.find((declaration) => declaration.tagName === 'vault-connect');
  if (!element) fail('custom-elements.json has no <vault-connect> (run `npm run manifest`)');
  const eventClasses = new Map(
    declarations.filter((declaration) => declaration.superclass?.name === 'CustomEvent').map((declaration) => [declaration.name, declaration]),
  );
  const publicMembers = (element.members ?? []).filter(
    (member) => !member.static && !member.name.startsWith('#') && (member.privacy ?? 'public') === 'public',
  );
  const attributeFields = new Set((element.attributes ?? []).map((attribute) => attribute.fieldName));

  const attributes = table(
    ['attribute', 'property', 'type', 'default', 'meaning'],
    (element.attributes ?? []).map((attribute) => [
      code(attribute.name),
      code(attribute.fieldName),
      code(attribute.type?.text),
      code(attribute.default),
      described(attribute),
    ]),
  );
  const properties = table(
    ['property', 'type', 'meaning'],
    publicMembers
      .filter((member) => member.kind === 'field' && !attributeFields.has(member.name))
      .map((member) => [code(member.name), code(member.type?.text), described(member)]),
  );
  const methods = table(
    ['method', 'returns', 'what it does'],
    publicMembers
      .filter((member) => member.kind === 'method')
      .map((member) => {
        const parameters = (member.parameters ?? []).map((parameter) => `${parameter.name}${parameter.optional ? '?' : ''}`).join(', ');
        return [code(`${member.name}(${parameters})`), code(member.return?.type?.text), described(member)];
      }),
  );
  // `vault-connection-change` is dispatched as `VaultConnectionChangeEvent` (one class per event, src/events/).
  const eventClassOf = (name: string): Declaration | undefined =>
    eventClasses.get(`${name.split('-').map((word) => word.charAt(0).toUpperCase() + word.slice(1)).join('')}Event`);
  const events = table(
    ['event', 'class', '`detail`'],
    (element.events ?? []).map((event) => [code(event.name), code(eventClassOf(event.name)?.name), cell(event.description)]),
  );
  const errorCodes = table(
    ['`code`', 'what the user reads (English)'],
    ERROR_CODES.map((errorCode) => [code(errorCode), cell(en.errors[errorCode])]),
  );
  const statuses = table(
    ['`data-status`', 'badge (English)'],
    CONNECTION_STATUSES.map((status) => [code(status), cell(en.status[status])]),
  );
  const actions = ROW_ACTIONS.map((action) => code(action)).join(', ');
  const parts = table(['part', 'what'], (element.cssParts ?? []).map((part) => [code(part.name), cell(part.description)]));
  const cssProperties = table(
    ['custom property', 'what'],
    (element.cssProperties ?? []).map((property) => [code(property.name), cell(property.description)]),
  );

  return `<!-- Generated by scripts/docs-api.ts (npm run docs:api) from custom-elements.json and src/internal/api/vocabulary.ts. Do not edit: change the JSDoc in src/ and run npm run docs:api. -->

# \`<vault-connect>\` reference

${element.summary ? `${cell(element.summary)}\n\n` : ''}Everything here comes from the element's class JSDoc (through
[\`custom-elements.json\`](../custom-elements.json), which the package ships) and from the product's closed sets of
values; \`npm test\` fails when this page is stale.

## Attributes and properties

Each attribute has a property of the camelCase name. A framework can set either; objects go in as properties.

${attributes}

Properties without an attribute:

${properties}

## Methods

${methods}

## Events

Every event is a \`CustomEvent\` that bubbles and is composed, typed through \`HTMLElementEventMap\` (the classes are
exported from \`vault-connect\`).

${events}

### Error codes

\`vault-connect-error\`'s \`detail.code\` is one of these. \`detail.message\` is the sentence the element shows (in its
\`locale\`; the English one is below, sometimes followed by a detail such as Apideck's own message), and
\`detail.retryable\` says whether trying again can help.

${errorCodes}

## Hooks for styling and tests

Each row has \`part="connection"\` and \`data-service-id="<service_id>"\` (the VaultRE row: \`data-service-id="vaultre"\`).
Each row's badge is \`part="badge"\` with \`data-status\` (when each applies: [statuses.md](statuses.md)):

${statuses}

Each action button carries \`data-action\`, one of ${actions}.

## CSS parts

${parts}

## CSS custom properties

Set them on the element or on any ancestor (see [theming.md](theming.md)).

${cssProperties}
`;
}

const manifest = JSON.parse(readFileSync(new URL('custom-elements.json', root), 'utf8')) as Manifest;
const page = render(manifest);
const outputPath = fileURLToPath(new URL(OUTPUT, root));
if (process.argv.includes('--check')) {
  let current = '';
  try {
    current = readFileSync(outputPath, 'utf8');
  } catch {
    // Missing counts as stale.
  }
  if (current !== page) fail(`${OUTPUT} is stale: run \`npm run docs:api\` (after \`npm run manifest\`) and commit it.`);
  console.log(`${OUTPUT} is current.`);
} else {
  writeFileSync(outputPath, page);
  console.log(`wrote ${OUTPUT}`);
}
