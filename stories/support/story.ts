/**
 * What every `<vault-connect>` story shares: the render function, the args that map to attributes, and a `beforeEach`
 * that starts a mock Vault API (from `parameters.mockVault`) for the story and stops it when the story unmounts.
 * Nothing here needs a server: `storybook build` output works from any static host.
 */
import { html, type TemplateResult } from 'lit';
import { ifDefined } from 'lit/directives/if-defined.js';
import { action } from 'storybook/actions';
import type { ArgTypes, Decorator, Meta, StoryContext } from '@storybook/web-components-vite';
import '../../src/index.ts';
import type { VaultModal } from '../../src/flows/vault-modal.ts';
import { LOCALES, OPEN_MODES, THEMES, type Locale, type OpenMode, type Theme } from '../../src/api/vocabulary.ts';
import { createFakeVaultModal } from './fake-vault-modal.ts';
import { createMockVault, type MockVault, type MockVaultScenario } from './mock-vault.ts';

/** Args are named after the attributes they set, so they line up with the manifest's rows in the docs table. */
export type VaultConnectArgs = {
  theme: Theme;
  locale: Locale;
  'open-mode': OpenMode;
  /** Empty: every unified API. */
  'unified-api': string;
};

declare module 'storybook/internal/types' {
  interface Parameters {
    /** The mock Vault API the story's element talks to. */
    mockVault?: MockVaultScenario;
  }
}

interface StoryMock {
  mock: MockVault;
  modal: VaultModal;
  scenario: MockVaultScenario | undefined;
  refs: number;
}

/** The running mock per story id. Re-renders (args changes) keep the mock and its data. */
const mocks = new Map<string, StoryMock>();

function startMock(id: string, scenario: MockVaultScenario | undefined): StoryMock {
  const logRequest = action('vault-api');
  const mock = createMockVault(id, scenario, (entry) => {
    logRequest(`${entry.method} ${entry.path} → ${entry.status}`);
  });
  const modal = createFakeVaultModal(mock, (name, detail) => {
    action(name)(detail);
  });
  const entry: StoryMock = { mock, modal, scenario, refs: 0 };
  mocks.set(id, entry);
  return entry;
}

/** Starts the story's mock Vault API before it renders; the returned cleanup runs when the story unmounts. */
export function mockVaultBeforeEach(context: StoryContext<VaultConnectArgs>): () => void {
  const scenario = context.parameters.mockVault;
  let entry = mocks.get(context.id);
  if (!entry || entry.scenario !== scenario) entry = startMock(context.id, scenario);
  const current = entry;
  current.refs++;
  return () => {
    current.refs--;
    if (current.refs > 0) return;
    current.mock.dispose();
    if (mocks.get(context.id) === current) mocks.delete(context.id);
  };
}

/** The story's mock (started on the spot when a story is rendered without its `beforeEach`, e.g. composed in a test). */
function mockFor(context: StoryContext<VaultConnectArgs>): StoryMock {
  return mocks.get(context.id) ?? startMock(context.id, context.parameters.mockVault);
}

const onReady = action('vault-connect-ready');
const onChange = action('vault-connection-change');
const onDelete = action('vault-connection-delete');
const onError = action('vault-connect-error');

export function renderVaultConnect(args: VaultConnectArgs, context: StoryContext<VaultConnectArgs>): TemplateResult {
  const { mock, modal } = mockFor(context);
  return html`<vault-connect
    .token=${mock.token}
    .vaultModal=${modal}
    unify-base-url=${mock.origin}
    theme=${args.theme}
    locale=${args.locale}
    open-mode=${args['open-mode']}
    unified-api=${ifDefined(args['unified-api'] || undefined)}
    @vault-connect-ready=${(event: HTMLElementEventMap['vault-connect-ready']) => {
      onReady({ count: event.detail.connections.length });
    }}
    @vault-connection-change=${(event: HTMLElementEventMap['vault-connection-change']) => {
      onChange(event.detail);
    }}
    @vault-connection-delete=${(event: HTMLElementEventMap['vault-connection-delete']) => {
      onDelete(event.detail);
    }}
    @vault-connect-error=${(event: HTMLElementEventMap['vault-connect-error']) => {
      onError(event.detail);
    }}
  ></vault-connect>`;
}

/** A page-like frame around the element; `parameters.frame.background` paints it (the dark theme stories). */
export const frame: Decorator = (story, context) => {
  const background = (context.parameters.frame as { background?: string } | undefined)?.background;
  return html`<div style="max-width: 760px; padding: 24px; ${background ? `background: ${background};` : ''}">${story()}</div>`;
};

const mockDriven = { control: false } as const;

const argTypes: Partial<ArgTypes<VaultConnectArgs>> & ArgTypes = {
  theme: { control: 'inline-radio', options: [...THEMES] },
  locale: { control: 'select', options: [...LOCALES] },
  'open-mode': { control: 'inline-radio', options: [...OPEN_MODES] },
  'unified-api': { control: 'select', options: ['', 'crm', 'accounting', 'hris', 'ats', 'file-storage'] },
  // Set by the story's mock, not by hand.
  'session-url': mockDriven,
  'unify-base-url': mockDriven,
  token: mockDriven,
  vaultModal: mockDriven,
};

/** Spread into each file's default export, next to its own `title`. */
export const baseMeta = {
  component: 'vault-connect',
  render: renderVaultConnect,
  beforeEach: mockVaultBeforeEach,
  decorators: [frame],
  args: { theme: 'auto', locale: 'en', 'open-mode': 'modal', 'unified-api': '' },
  argTypes,
} satisfies Meta<VaultConnectArgs>;

/** Resolves with the story's element once its first list has rendered (for `play` functions). */
export async function readyElement(canvasElement: HTMLElement): Promise<HTMLElementTagNameMap['vault-connect']> {
  const element = canvasElement.querySelector('vault-connect');
  if (!element) throw new Error('No <vault-connect> in the story');
  const rows = () => element.shadowRoot?.querySelector('[part="connection"]');
  if (!rows()) {
    await new Promise<void>((resolve) => element.addEventListener('vault-connect-ready', () => resolve(), { once: true }));
  }
  await element.updateComplete;
  return element;
}
