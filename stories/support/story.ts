/**
 * What every `<vault-connect>` story shares: the render function, the args (one per attribute in
 * `custom-elements.json`) and a `beforeEach` that starts the story's stand-ins — a mock Vault API
 * (`parameters.mockVault`), a mock VaultRE host endpoint (`parameters.vaultreHost`), a fake Vault modal and a
 * `window.open` that never opens a real window (`parameters.popups`) — and stops them when the story unmounts.
 * Nothing here needs a server: `storybook build` output works from any static host.
 */
import { html, noChange, nothing, type TemplateResult } from 'lit';
import { Directive, directive, PartType, type ElementPart, type PartInfo } from 'lit/directive.js';
import { action } from 'storybook/actions';
import type { ArgTypes, Decorator, Meta, StoryContext } from '@storybook/web-components-vite';
import '../../src/index.ts';
import type { VaultModal } from '../../src/internal/actions/vault-modal.ts';
import type { Locale, OpenMode, Theme, WindowMode } from '../../src/internal/api/vocabulary.ts';
import { createFakeVaultModal, type FakeModalFrame } from './fake-vault-modal.ts';
import { installFakePopups, type FakePopups, type FakePopupScenario } from './fake-popup.ts';
import { ATTRIBUTES, CSS_PROPERTIES, manifestArgTypes, PROPERTIES, TAG_NAME } from './manifest.ts';
import { createMockVault, type MockVault, type MockVaultScenario } from './mock-vault.ts';
import { createMockVaultreHost, type MockVaultreHost, type MockVaultreHostScenario } from './mock-vaultre-host.ts';

/**
 * Args are named after the attributes they set (every attribute in the manifest is one), so they line up with the
 * manifest's rows in the docs table. Empty values leave the attribute off.
 */
export type VaultConnectArgs = {
  theme: Theme;
  locale: Locale;
  'open-mode': OpenMode;
  /** Empty: every unified API. */
  'unified-api': string;
  'callback-url'?: string;
  'vault-url'?: string;
  'flow-timeout'?: number;
  /** Any non-empty value points the element at the story's mock host endpoint (see `attributesFor`). */
  'vaultre-exchange-url'?: string;
  'vaultre-token-type'?: 'account' | 'user';
  'window-mode'?: WindowMode;
  [attribute: string]: unknown;
};

declare module 'storybook/internal/types' {
  interface Parameters {
    /** The mock Vault API the story's element talks to. */
    mockVault?: MockVaultScenario;
    /** The mock host endpoint behind `vaultre-exchange-url`. */
    vaultreHost?: MockVaultreHostScenario;
    /** What `window.open` does in the story. */
    popups?: FakePopupScenario;
    /** How the fake Vault modal's frame fares (default `ready`). */
    vaultModalFrame?: FakeModalFrame;
  }
}

/** The stand-ins of one story. */
export interface StoryMock {
  mock: MockVault;
  host: MockVaultreHost;
  modal: VaultModal;
  popups: FakePopups;
  parameters: readonly unknown[];
  refs: number;
  dispose(): void;
}

/** The running stand-ins per story id. Re-renders (args changes) keep them and their data. */
const mocks = new Map<string, StoryMock>();

function scenarioOf(context: StoryContext<VaultConnectArgs>): readonly unknown[] {
  const { mockVault, vaultreHost, popups, vaultModalFrame } = context.parameters;
  return [mockVault, vaultreHost, popups, vaultModalFrame];
}

function startMock(context: StoryContext<VaultConnectArgs>): StoryMock {
  const { id, parameters } = context;
  const logRequest = action('vault-api');
  const mock = createMockVault(id, parameters.mockVault, (entry) => {
    logRequest(`${entry.method} ${entry.path} → ${entry.status}`);
  });
  const logHost = action('vaultre-exchange-url');
  const host = createMockVaultreHost(id, parameters.vaultreHost, (entry) => {
    logHost(`${entry.method} → ${entry.status}`);
  });
  const modal = createFakeVaultModal(
    mock,
    (name, detail) => {
      action(name)(detail);
    },
    parameters.vaultModalFrame,
  );
  const popups = installFakePopups(mock, parameters.popups, (name, detail) => {
    action(name)(detail);
  });
  const entry: StoryMock = {
    mock,
    host,
    modal,
    popups,
    parameters: scenarioOf(context),
    refs: 0,
    dispose() {
      popups.dispose();
      modal.close();
      host.dispose();
      mock.dispose();
    },
  };
  mocks.set(id, entry);
  return entry;
}

const sameScenario = (a: readonly unknown[], b: readonly unknown[]) => a.length === b.length && a.every((item, i) => item === b[i]);

/** Starts the story's stand-ins before it renders; the returned cleanup runs when the story unmounts. */
export function mockVaultBeforeEach(context: StoryContext<VaultConnectArgs>): () => void {
  let entry = mocks.get(context.id);
  if (!entry || !sameScenario(entry.parameters, scenarioOf(context))) {
    entry?.dispose();
    entry = startMock(context);
  }
  const current = entry;
  current.refs++;
  return () => {
    current.refs--;
    if (current.refs > 0) return;
    current.dispose();
    if (mocks.get(context.id) === current) mocks.delete(context.id);
  };
}

/** The story's stand-ins (started on the spot when a story is rendered without its `beforeEach`). */
export function mockFor(context: Pick<StoryContext<VaultConnectArgs>, 'id'> & Partial<StoryContext<VaultConnectArgs>>): StoryMock {
  const running = mocks.get(context.id);
  if (running) return running;
  return startMock(context as StoryContext<VaultConnectArgs>);
}

// ---------------------------------------------------------------------------------------------------------------------
// What the element reported, for `play` functions

export interface ElementEvents {
  ready: number;
  errors: HTMLElementEventMap['vault-connect-error']['detail'][];
  changes: HTMLElementEventMap['vault-connection-change']['detail'][];
  deletes: HTMLElementEventMap['vault-connection-delete']['detail'][];
  vaultre: HTMLElementEventMap['vaultre-connect']['detail'][];
}

const recorded = new WeakMap<EventTarget, ElementEvents>();

/** Every event the element dispatched since it was rendered. */
export function eventsOf(element: EventTarget): ElementEvents {
  let events = recorded.get(element);
  if (!events) {
    events = { ready: 0, errors: [], changes: [], deletes: [], vaultre: [] };
    recorded.set(element, events);
  }
  return events;
}

// ---------------------------------------------------------------------------------------------------------------------
// Rendering

/**
 * Sets the given attributes and properties on the element, and removes (or unsets) the ones it set before that are no
 * longer given: the names come from the manifest, so Lit's static bindings cannot list them.
 */
class HostDirective extends Directive {
  #attributes = new Set<string>();
  #properties = new Set<string>();

  constructor(part: PartInfo) {
    super(part);
    if (part.type !== PartType.ELEMENT) throw new Error('hostBindings() belongs on an element');
  }

  #styles = new Set<string>();

  render(_attributes: Record<string, string>, _properties: Record<string, unknown>, _styles: Record<string, string>) {
    return nothing;
  }

  override update(
    part: ElementPart,
    [attributes, properties, styles]: [Record<string, string>, Record<string, unknown>, Record<string, string>],
  ) {
    const element = part.element as HTMLElement & Record<string, unknown>;
    for (const name of this.#attributes) if (!(name in attributes)) element.removeAttribute(name);
    for (const [name, value] of Object.entries(attributes)) if (element.getAttribute(name) !== value) element.setAttribute(name, value);
    for (const name of this.#properties) if (!(name in properties)) element[name] = undefined;
    for (const [name, value] of Object.entries(properties)) if (element[name] !== value) element[name] = value;
    for (const name of this.#styles) if (!(name in styles)) element.style.removeProperty(name);
    for (const [name, value] of Object.entries(styles)) element.style.setProperty(name, value);
    this.#attributes = new Set(Object.keys(attributes));
    this.#properties = new Set(Object.keys(properties));
    this.#styles = new Set(Object.keys(styles));
    return noChange;
  }
}
const hostBindings = directive(HostDirective);

/** Attributes that the story's stand-ins provide (their values are made-up origins created per story). */
const MOCK_DRIVEN = new Set(['session-url', 'unify-base-url', 'vaultre-exchange-url']);

/** The attributes for the args: every manifest attribute with a non-empty value, then the stand-ins' URLs. */
export function attributesFor(args: VaultConnectArgs, stand: StoryMock): Record<string, string> {
  const result: Record<string, string> = {};
  for (const { name } of ATTRIBUTES) {
    const value = args[name];
    if (MOCK_DRIVEN.has(name)) continue;
    // Controls give strings, numbers and booleans (a boolean attribute is there or not); nothing else has an attribute form.
    if (typeof value === 'boolean') {
      if (value) result[name] = '';
    } else if ((typeof value === 'string' && value !== '') || typeof value === 'number') {
      result[name] = String(value);
    }
  }
  result['unify-base-url'] = stand.mock.origin;
  // The VaultRE row: its endpoint is the story's mock host, whatever the arg says.
  if (typeof args['vaultre-exchange-url'] === 'string' && args['vaultre-exchange-url'] !== '') result['vaultre-exchange-url'] = stand.host.url;
  return result;
}

/** The CSS custom properties the args set (the `--vc-*` Controls), as inline style on the element. */
export function stylesFor(args: VaultConnectArgs): Record<string, string> {
  const result: Record<string, string> = {};
  for (const { name } of CSS_PROPERTIES) {
    const value = args[name];
    if (typeof value === 'string' && value.trim() !== '') result[name] = value;
  }
  return result;
}

/** Properties the stand-ins provide (`token`, `vaultModal`): bound by the render function itself. */
const MOCK_DRIVEN_PROPERTIES = new Set(['token', 'vaultModal']);

/** The other attribute-less properties (such as `strings`) that the args give a value. */
export function propertiesFor(args: VaultConnectArgs): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const { name } of PROPERTIES) if (!MOCK_DRIVEN_PROPERTIES.has(name) && args[name] !== undefined) result[name] = args[name];
  return result;
}

const onReady = action('vault-connect-ready');
const onChange = action('vault-connection-change');
const onDelete = action('vault-connection-delete');
const onError = action('vault-connect-error');
const onVaultre = action('vaultre-connect');

/**
 * The element with the args as attributes, talking to the story's stand-ins. `session: false` gives it no Vault
 * session at all (a page that only uses VaultRE).
 */
export function renderVaultConnect(
  args: VaultConnectArgs,
  context: StoryContext<VaultConnectArgs>,
  options: { session?: boolean } = {},
): TemplateResult {
  const stand = mockFor(context);
  return html`<vault-connect
    ${hostBindings(attributesFor(args, stand), propertiesFor(args), stylesFor(args))}
    .token=${options.session === false ? undefined : stand.mock.token}
    .vaultModal=${stand.modal}
    @vault-connect-ready=${(event: HTMLElementEventMap['vault-connect-ready']) => {
      eventsOf(event.currentTarget as EventTarget).ready++;
      onReady({ count: event.detail.connections.length });
    }}
    @vault-connection-change=${(event: HTMLElementEventMap['vault-connection-change']) => {
      eventsOf(event.currentTarget as EventTarget).changes.push(event.detail);
      onChange(event.detail);
    }}
    @vault-connection-delete=${(event: HTMLElementEventMap['vault-connection-delete']) => {
      eventsOf(event.currentTarget as EventTarget).deletes.push(event.detail);
      onDelete(event.detail);
    }}
    @vault-connect-error=${(event: HTMLElementEventMap['vault-connect-error']) => {
      eventsOf(event.currentTarget as EventTarget).errors.push(event.detail);
      onError(event.detail);
    }}
    @vaultre-connect=${(event: HTMLElementEventMap['vaultre-connect']) => {
      eventsOf(event.currentTarget as EventTarget).vaultre.push(event.detail);
      onVaultre(event.detail);
    }}
  ></vault-connect>`;
}

/** A page-like frame around the element; `parameters.frame.background` paints it (the dark theme stories). */
export const frame: Decorator = (story, context) => {
  const background = (context.parameters.frame as { background?: string } | undefined)?.background;
  return html`<div style="max-width: 760px; padding: 24px; ${background ? `background: ${background};` : ''}">${story()}</div>`;
};

const mockDriven = (why: string) => ({ control: false, description: why }) as const;

const argTypes: ArgTypes = {
  ...manifestArgTypes(),
  'unified-api': {
    ...manifestArgTypes()['unified-api'],
    control: 'select',
    options: ['', 'crm', 'accounting', 'hris', 'ats', 'file-storage', 'pos'],
  },
  // Set by the story's stand-ins, not by hand.
  'session-url': { ...manifestArgTypes()['session-url'], ...mockDriven('Not used in stories: the story gives the element a `token`.') },
  'unify-base-url': { ...manifestArgTypes()['unify-base-url'], ...mockDriven("The story's mock Vault API (a made-up origin per story).") },
  'vaultre-exchange-url': {
    ...manifestArgTypes()['vaultre-exchange-url'],
    // Any value points the element at the story's mock host endpoint (a made-up origin per story): on or off.
    control: 'select',
    options: ['', 'the story’s mock host endpoint'],
    description: "The story's mock host endpoint when set: it answers the authorize request, the status, the exchange and the disconnect.",
  },
  token: mockDriven("An unsigned session JWT made by the story's mock Vault API."),
  vaultModal: mockDriven('A fake Vault modal that logs its calls in the Actions panel.'),
};

/** Values for the stand-ins: the redirect URIs are on the Storybook origin, so the stand-in popups can answer. */
export const STORY_CALLBACK_URL = 'vault-callback.html';
export const STORY_VAULTRE = {
  'vaultre-exchange-url': 'the story’s mock host endpoint',
} as const;

/** Spread into each file's default export, next to its own `title`. */
export const baseMeta = {
  component: TAG_NAME,
  render: renderVaultConnect,
  beforeEach: mockVaultBeforeEach,
  decorators: [frame],
  args: {
    theme: 'auto',
    locale: 'en',
    'open-mode': 'modal',
    'unified-api': '',
    'vault-url': 'https://vault.storybook.invalid',
  },
  argTypes,
} satisfies Meta<VaultConnectArgs>;
