/**
 * The emulated Vault JS modal page (the page `@apideck/vault-js` loads in its iframe from `https://vaultjs.apideck.com`),
 * built by Vite and served by `../vault-modal-page.ts` as `/modal.js`. It speaks vault-js's postMessage protocol:
 *
 * - on load it posts `'on-ready'` to `window.parent`;
 * - it receives the `ApideckVault.open()` options (minus callbacks: `token`, `unifiedApi`, `serviceId`, `locale`, …);
 * - after each change it posts `{type: 'on-connection-change' | 'on-connection-delete', data: connection}`;
 * - "Close", Escape and an incoming `{type: 'close'}` post `'on-close'`.
 *
 * Messages are taken only from the parent window (and its origin, when the referrer names it); every message, the
 * session's claims and every API reply are checked with zod/mini; every text from the API is set with `textContent`.
 */
import { decodeJwtPayload } from '../../internal/api/jwt-payload.ts';
import { statusLabel } from '../connection-labels.ts';
import { VaultModalApi, connectionPath } from './vault-modal-api.ts';
import { readSettings, renderField } from './settings-form.ts';
import {
  CloseMessageSchema,
  type Connection,
  type OpenMessage,
  OpenMessageSchema,
  type SessionClaims,
  SessionClaimsSchema,
} from './vault-modal-schemas.ts';
import './vault-modal-page.css';

const LOCALES = /^(en|nl|de|fr|es)$/;

function byId<T extends HTMLElement>(id: string, type: { new (): T; prototype: T }): T {
  const element = document.getElementById(id);
  if (!(element instanceof type)) throw new Error(`The Vault page has no #${id}.`);
  return element;
}

const dialog = byId('vault', HTMLDialogElement);
const els = {
  icon: byId('vault-icon', HTMLImageElement),
  title: byId('vault-title', HTMLElement),
  tagline: byId('vault-tagline', HTMLElement),
  close: byId('vault-close', HTMLButtonElement),
  status: byId('vault-status', HTMLElement),
  error: byId('vault-error', HTMLElement),
  list: byId('vault-list', HTMLElement),
  listItems: byId('vault-list-items', HTMLElement),
  detail: byId('vault-detail', HTMLElement),
  state: byId('vault-state', HTMLElement),
  note: byId('vault-note', HTMLElement),
  authorize: byId('vault-authorize', HTMLButtonElement),
  toggle: byId('vault-toggle', HTMLButtonElement),
  remove: byId('vault-delete', HTMLButtonElement),
  form: byId('vault-settings', HTMLFormElement),
  fields: byId('vault-fields', HTMLElement),
  save: byId('vault-save', HTMLButtonElement),
  back: byId('vault-back', HTMLButtonElement),
  attribution: byId('vault-attribution', HTMLElement),
};

const apiBase = (document.querySelector('meta[name="vault-api-url"]')?.getAttribute('content') ?? '').replace(/\/+$/, '');

/** The parent's origin, from the referrer; `'*'` when the referrer does not say. */
function parentOriginFromReferrer(): string {
  try {
    return document.referrer ? new URL(document.referrer).origin : '*';
  } catch {
    return '*';
  }
}
const parentOrigin = parentOriginFromReferrer();

/** What the open session knows, from the parent's options. */
interface Session {
  options: OpenMessage;
  claims: SessionClaims;
  api: VaultModalApi;
}

let session: Session | undefined;
let current: Connection | undefined;
let busy = false;
let closed = false;
let autoStarted = false;

function post(message: unknown): void {
  if (window.parent !== window) window.parent.postMessage(message, parentOrigin);
}

function requestClose(): void {
  if (closed) return;
  closed = true;
  post('on-close');
}

function openSession(): Session {
  if (!session) throw new Error('The Vault was not opened with a session.');
  return session;
}

function allowed(action: string): boolean {
  const actions = session?.claims.settings?.allow_actions;
  return !Array.isArray(actions) || actions.includes(action);
}

function setStatus(text: string): void {
  els.status.textContent = text;
}

function showError(text: string): void {
  els.error.textContent = text;
  els.error.hidden = !text;
}

function setBusy(value: boolean): void {
  busy = value;
  for (const button of [els.authorize, els.toggle, els.remove, els.save]) button.disabled = value;
}

function safeImage(url: string | undefined): url is string {
  return typeof url === 'string' && (url.startsWith('data:image/') || url.startsWith('https:'));
}

function renderHeader(connection: Connection | undefined): void {
  els.title.textContent = connection ? connection.name || connection.service_id : 'Vault';
  els.tagline.textContent = connection?.tag_line ?? '';
  if (safeImage(connection?.icon)) {
    els.icon.src = connection.icon;
    els.icon.hidden = false;
  } else {
    els.icon.hidden = true;
    els.icon.removeAttribute('src');
  }
}

function renderDetail(connection: Connection): void {
  current = connection;
  renderHeader(connection);
  els.list.hidden = true;
  els.detail.hidden = false;
  els.back.hidden = !!session?.options.serviceId;
  els.state.textContent = statusLabel(connection);
  const configured = connection.integration_state === 'configured';
  els.note.hidden = configured;
  els.note.textContent = configured ? '' : 'This integration must be configured by the application owner before it can be connected.';

  const oauth = connection.auth_type === 'oauth2';
  const reauthorize = connection.state === 'callable' || connection.state === 'invalid';
  els.authorize.hidden = !(configured && oauth && (!reauthorize || allowed('reauthorize')));
  els.authorize.textContent = reauthorize ? 'Re-authorize' : 'Authorize';
  els.toggle.hidden = !(configured && connection.state !== 'available' && allowed('disable'));
  els.toggle.textContent = connection.enabled === false ? 'Enable' : 'Disable';
  els.remove.hidden = !(connection.state !== 'available' && allowed('delete'));

  const fields = (connection.form_fields ?? []).filter((field) => !field.hidden && !field.deprecated);
  const settings = connection.settings ?? {};
  els.fields.replaceChildren(...fields.map((field) => renderField(field, settings[field.id])));
  els.form.hidden = !(configured && fields.length > 0);
}

async function showList(): Promise<void> {
  const { api, options } = openSession();
  current = undefined;
  renderHeader(undefined);
  els.detail.hidden = true;
  setStatus('Loading integrations…');
  const connections = await api.list(options.unifiedApi);
  els.listItems.replaceChildren(
    ...connections.map((connection) => {
      const item = document.createElement('li');
      const button = document.createElement('button');
      button.type = 'button';
      button.className = 'secondary';
      const name = document.createElement('span');
      name.textContent = connection.name || connection.service_id;
      const state = document.createElement('span');
      state.className = 'muted';
      state.textContent = statusLabel(connection);
      button.append(name, state);
      button.addEventListener('click', () => void run(() => openConnection(connection.unified_api, connection.service_id)));
      item.append(button);
      return item;
    }),
  );
  els.list.hidden = false;
  setStatus(`${connections.length} integrations`);
  els.listItems.querySelector('button')?.focus();
}

async function openConnection(unifiedApi: string, serviceId: string): Promise<void> {
  const { api, options } = openSession();
  setStatus('Loading…');
  const connection = await api.connection('GET', connectionPath({ unified_api: unifiedApi, service_id: serviceId }));
  renderDetail(connection);
  setStatus('');
  [els.authorize, els.toggle, els.remove, els.close].find((button) => !button.hidden)?.focus();
  if (options.autoStartAuthorization && !autoStarted && !els.authorize.hidden && connection.state !== 'callable') {
    autoStarted = true;
    await authorize();
  }
}

/** Runs one action at a time; its failure is shown on the page. */
async function run(task: () => Promise<void>): Promise<void> {
  if (busy) return;
  showError('');
  setBusy(true);
  try {
    await task();
  } catch (error) {
    setStatus('');
    showError(error instanceof Error && error.message ? error.message : String(error));
  } finally {
    setBusy(false);
  }
}

function currentConnection(): Connection {
  if (!current) throw new Error('No integration is open.');
  return current;
}

function changed(connection: Connection): void {
  renderDetail(connection);
  post({ type: 'on-connection-change', data: connection });
}

async function authorize(): Promise<void> {
  const { api } = openSession();
  const connection = currentConnection();
  setStatus('Authorizing…');
  const grant = connection.oauth_grant_type;
  const updated =
    grant === 'client_credentials' || grant === 'password'
      ? await api.connection('POST', `${connectionPath(connection)}/token`, {})
      : await api.connection(
          'POST',
          `/__sandbox/authorize/${encodeURIComponent(connection.unified_api)}/${encodeURIComponent(connection.service_id)}`,
        );
  changed(updated);
  setStatus('Authorized.');
}

async function toggleEnabled(): Promise<void> {
  const { api } = openSession();
  const connection = currentConnection();
  setStatus('Saving…');
  const updated = await api.connection('PATCH', connectionPath(connection), { enabled: connection.enabled === false });
  changed(updated);
  setStatus(updated.enabled === false ? 'Disabled.' : 'Enabled.');
}

async function deleteConnection(): Promise<void> {
  const { api } = openSession();
  const deleted = currentConnection();
  setStatus('Deleting…');
  await api.delete(deleted);
  post({ type: 'on-connection-delete', data: deleted });
  renderDetail(await api.connection('GET', connectionPath(deleted)));
  setStatus('Deleted.');
  els.close.focus();
}

async function saveSettings(): Promise<void> {
  const { api } = openSession();
  setStatus('Saving…');
  changed(await api.connection('PATCH', connectionPath(currentConnection()), { settings: readSettings(els.fields) }));
  setStatus('Settings saved.');
}

function applyTheme(claims: SessionClaims): void {
  const color = claims.theme?.primary_color;
  if (color !== undefined && CSS.supports('color', color)) document.documentElement.style.setProperty('--primary', color);
}

function start(options: OpenMessage): void {
  closed = false;
  autoStarted = false;
  showError('');
  const claims = SessionClaimsSchema.safeParse(decodeClaims(options.token));
  if (!claims.success) {
    session = undefined;
    setStatus('');
    showError('The session token could not be read.');
    return;
  }
  session = { options, claims: claims.data, api: new VaultModalApi(apiBase, options.token, claims.data) };
  if (options.locale !== undefined && LOCALES.test(options.locale)) document.documentElement.lang = options.locale;
  els.attribution.hidden = options.showAttribution === false;
  applyTheme(claims.data);
  const { unifiedApi, serviceId } = options;
  void run(() => (unifiedApi && serviceId ? openConnection(unifiedApi, serviceId) : showList()));
}

function decodeClaims(token: string): unknown {
  try {
    return decodeJwtPayload(token);
  } catch {
    return undefined;
  }
}

function onMessage(event: MessageEvent): void {
  if (event.source !== window.parent || window.parent === window) return;
  if (parentOrigin !== '*' && event.origin !== parentOrigin) return;
  const data: unknown = event.data;
  if (CloseMessageSchema.safeParse(data).success) {
    requestClose();
    return;
  }
  const options = OpenMessageSchema.safeParse(data);
  if (options.success) start(options.data);
  else if (typeof data === 'object' && data !== null && 'token' in data) showError('The Vault options could not be read.');
}

els.authorize.addEventListener('click', () => void run(authorize));
els.toggle.addEventListener('click', () => void run(toggleEnabled));
els.remove.addEventListener('click', () => void run(deleteConnection));
els.form.addEventListener('submit', (event) => {
  event.preventDefault();
  if (!els.form.reportValidity()) return;
  void run(saveSettings);
});
els.back.addEventListener('click', () => void run(showList));
els.close.addEventListener('click', requestClose);
dialog.addEventListener('cancel', (event) => {
  event.preventDefault();
  requestClose();
});
document.addEventListener('keydown', (event) => {
  if (event.key !== 'Escape') return;
  event.preventDefault();
  requestClose();
});
window.addEventListener('message', onMessage);

if (!dialog.open) dialog.showModal();
post('on-ready');
