/**
 * The sandbox's stand-in for the page `@apideck/vault-js` loads in its iframe (`https://vaultjs.apideck.com`). It speaks
 * the same postMessage protocol:
 *
 * - on load it posts `'on-ready'` to `window.parent`;
 * - it receives the `ApideckVault.open()` options (minus callbacks: `token`, `unifiedApi`, `serviceId`, `locale`, …);
 * - after each change it posts `{type: 'on-connection-change' | 'on-connection-delete', data: connection}`;
 * - "Close", Escape and an incoming `{type: 'close'}` post `'on-close'`.
 *
 * It calls the Vault API with the session JWT the way Apideck's own UI does (`Authorization: Bearer`, `x-apideck-app-id`,
 * `x-apideck-consumer-id` from the claims, `x-apideck-auth-type: JWT`). The browser script and styles are plain strings
 * served as `/modal.js` and `/modal.css`, so the page runs under a CSP with no inline script or style, and every text
 * that comes from the API is written with `textContent`.
 */

export type FetchHandler = (request: Request) => Promise<Response>;

export interface VaultModalPageOptions {
  /** The Vault API origin the page calls (the only `connect-src`). */
  vaultApiUrl: string;
}

function escapeAttribute(value: string): string {
  return value.replace(/[&"<>]/g, (c) => `&#${c.charCodeAt(0)};`);
}

function pageHtml(vaultApiUrl: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="vault-api-url" content="${escapeAttribute(vaultApiUrl)}">
<title>Vault (sandbox)</title>
<link rel="stylesheet" href="/modal.css">
<script type="module" src="/modal.js"></script>
</head>
<body>
<dialog id="vault" aria-labelledby="vault-title">
  <header class="vault-header">
    <img id="vault-icon" alt="" width="40" height="40" hidden>
    <div class="vault-heading">
      <h1 id="vault-title">Vault</h1>
      <p id="vault-tagline" class="muted"></p>
    </div>
    <button type="button" id="vault-close" class="secondary">Close</button>
  </header>
  <p id="vault-status" class="muted" role="status" aria-live="polite">Loading…</p>
  <p id="vault-error" class="error" role="alert" hidden></p>
  <section id="vault-list" aria-labelledby="vault-list-title" hidden>
    <h2 id="vault-list-title">Integrations</h2>
    <ul id="vault-list-items" class="list"></ul>
  </section>
  <section id="vault-detail" hidden>
    <p class="state-line">Status: <strong id="vault-state"></strong></p>
    <p id="vault-note" class="muted" hidden></p>
    <div class="actions">
      <button type="button" id="vault-authorize" hidden>Authorize</button>
      <button type="button" id="vault-toggle" class="secondary" hidden>Disable</button>
      <button type="button" id="vault-delete" class="danger" hidden>Delete</button>
    </div>
    <form id="vault-settings" hidden novalidate>
      <h2>Settings</h2>
      <div id="vault-fields"></div>
      <button type="submit" id="vault-save">Save settings</button>
    </form>
    <button type="button" id="vault-back" class="link" hidden>All integrations</button>
  </section>
  <p id="vault-attribution" class="muted small">Apideck Vault sandbox emulator</p>
</dialog>
</body>
</html>
`;
}

const MODAL_CSS = `:root {
  color-scheme: light dark;
  --primary: #5c51ce;
  --bg: #ffffff;
  --fg: #1f2430;
  --muted: #5f6677;
  --border: #d5d8e0;
  --danger: #c4262e;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
}
@media (prefers-color-scheme: dark) {
  :root { --bg: #1c1f26; --fg: #eef0f4; --muted: #a3a9b7; --border: #3a3f4b; --danger: #ff6b70; }
}
html, body { margin: 0; background: transparent; }
dialog {
  width: min(34rem, calc(100vw - 2rem));
  max-height: calc(100vh - 2rem);
  overflow: auto;
  box-sizing: border-box;
  padding: 1.25rem 1.5rem;
  border: 1px solid var(--border);
  border-radius: 12px;
  background: var(--bg);
  color: var(--fg);
}
dialog::backdrop { background: rgb(15 18 25 / 0.55); }
.vault-header { display: flex; gap: 0.75rem; align-items: flex-start; }
.vault-heading { flex: 1; min-width: 0; }
h1 { font-size: 1.25rem; margin: 0; }
h2 { font-size: 1rem; margin: 1.25rem 0 0.5rem; }
p { margin: 0.5rem 0; }
.muted { color: var(--muted); }
.small { font-size: 0.8rem; }
.error { color: var(--danger); font-weight: 600; }
#vault-icon { border-radius: 8px; flex: none; }
.actions { display: flex; flex-wrap: wrap; gap: 0.5rem; margin: 0.75rem 0; }
.list { list-style: none; margin: 0; padding: 0; display: grid; gap: 0.25rem; }
.list button { width: 100%; text-align: left; display: flex; justify-content: space-between; gap: 1rem; }
.field { display: grid; gap: 0.25rem; margin-bottom: 0.75rem; }
.field label { font-weight: 600; font-size: 0.9rem; }
.field .hint { font-size: 0.8rem; color: var(--muted); }
.field .affix { display: flex; align-items: center; gap: 0.25rem; }
.checkbox { display: flex; gap: 0.5rem; align-items: center; margin-bottom: 0.75rem; }
input, select, textarea {
  font: inherit; padding: 0.4rem 0.5rem; border: 1px solid var(--border); border-radius: 6px;
  background: var(--bg); color: var(--fg); min-width: 0; flex: 1;
}
button {
  font: inherit; cursor: pointer; padding: 0.45rem 0.9rem; border-radius: 6px;
  border: 1px solid var(--primary); background: var(--primary); color: #fff;
}
button.secondary { background: transparent; color: var(--fg); border-color: var(--border); }
button.danger { background: transparent; color: var(--danger); border-color: var(--danger); }
button.link { background: none; border: none; color: var(--primary); padding: 0; text-decoration: underline; }
button:disabled { opacity: 0.6; cursor: progress; }
:focus-visible { outline: 3px solid var(--primary); outline-offset: 2px; }
`;

/** Plain browser JavaScript (no template literals, so it can live in this string). */
const MODAL_JS = String.raw`'use strict';
var apiBase = (document.querySelector('meta[name="vault-api-url"]').getAttribute('content') || '').replace(/\/+$/, '');
var parentOrigin = '*';
try { if (document.referrer) parentOrigin = new URL(document.referrer).origin; } catch (e) { parentOrigin = '*'; }

var $ = function (id) { return document.getElementById(id); };
var dialog = $('vault');
var els = {
  icon: $('vault-icon'), title: $('vault-title'), tagline: $('vault-tagline'), close: $('vault-close'),
  status: $('vault-status'), error: $('vault-error'), list: $('vault-list'), listItems: $('vault-list-items'),
  detail: $('vault-detail'), state: $('vault-state'), note: $('vault-note'), authorize: $('vault-authorize'),
  toggle: $('vault-toggle'), remove: $('vault-delete'), form: $('vault-settings'), fields: $('vault-fields'),
  save: $('vault-save'), back: $('vault-back'), attribution: $('vault-attribution')
};

var options = null;
var claims = null;
var current = null;
var busy = false;
var closed = false;
var autoStarted = false;

function post(message) {
  if (window.parent && window.parent !== window) window.parent.postMessage(message, parentOrigin);
}

function requestClose() {
  if (closed) return;
  closed = true;
  post('on-close');
}

function decodeClaims(token) {
  var part = String(token).split('.')[1];
  if (!part) throw new Error('The session token is not a JWT.');
  var b64 = part.replace(/-/g, '+').replace(/_/g, '/');
  while (b64.length % 4) b64 += '=';
  var binary = atob(b64);
  var bytes = new Uint8Array(binary.length);
  for (var i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return JSON.parse(new TextDecoder().decode(bytes));
}

async function api(method, path, body) {
  var headers = {
    'Authorization': 'Bearer ' + options.token,
    'x-apideck-app-id': claims.application_id,
    'x-apideck-consumer-id': claims.consumer_id,
    'x-apideck-auth-type': 'JWT'
  };
  var init = { method: method, headers: headers };
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  var response = await fetch(apiBase + path, init);
  if (response.status === 204) return null;
  var json = null;
  try { json = await response.json(); } catch (e) { json = null; }
  if (!response.ok) {
    var message = (json && json.message) || ('Request failed (' + response.status + ')');
    if (json && typeof json.detail === 'string' && json.detail !== message) message += ': ' + json.detail;
    throw new Error(message);
  }
  return json ? json.data : null;
}

function connectionPath(connection) {
  return '/vault/connections/' + encodeURIComponent(connection.unified_api) + '/' + encodeURIComponent(connection.service_id);
}

function statusLabel(c) {
  if (c.integration_state === 'needs_configuration') return 'Needs configuration';
  if (c.state === 'invalid') return 'Invalid configuration';
  if (c.state === 'available') return 'Not connected';
  if (c.enabled === false) return 'Disabled';
  if (c.health === 'pending_confirmation') return 'Awaiting confirmation';
  if (c.state === 'added') return 'Unauthorized';
  if (c.state === 'authorized') return 'Input required';
  if (c.state === 'callable') return 'Connected';
  return String(c.state || '');
}

function allowed(action) {
  var actions = claims && claims.settings && claims.settings.allow_actions;
  return !Array.isArray(actions) || actions.indexOf(action) !== -1;
}

function setStatus(text) { els.status.textContent = text; }

function showError(text) {
  els.error.textContent = text;
  els.error.hidden = !text;
}

function setBusy(value) {
  busy = value;
  [els.authorize, els.toggle, els.remove, els.save].forEach(function (b) { b.disabled = value; });
}

function safeImage(url) {
  return typeof url === 'string' && (url.indexOf('data:image/') === 0 || url.indexOf('https:') === 0);
}

function renderHeader(c) {
  els.title.textContent = c ? (c.name || c.service_id) : 'Vault';
  els.tagline.textContent = c && c.tag_line ? c.tag_line : '';
  if (c && safeImage(c.icon)) { els.icon.src = c.icon; els.icon.hidden = false; } else { els.icon.hidden = true; els.icon.removeAttribute('src'); }
}

function inputType(field) {
  if (field.sensitive) return 'password';
  switch (field.type) {
    case 'email': case 'url': case 'tel': case 'number': case 'date': case 'time': case 'password': return field.type;
    case 'datetime': return 'datetime-local';
    default: return 'text';
  }
}

function renderField(field, value) {
  var id = 'field-' + field.id;
  var wrapper = document.createElement('div');
  if (field.type === 'checkbox') {
    wrapper.className = 'checkbox';
    var box = document.createElement('input');
    box.type = 'checkbox';
    box.id = id;
    box.name = field.id;
    box.checked = value === true || value === 'true';
    box.disabled = !!field.disabled;
    box.dataset.kind = 'checkbox';
    var boxLabel = document.createElement('label');
    boxLabel.htmlFor = id;
    boxLabel.textContent = field.label || field.id;
    wrapper.append(box, boxLabel);
    return wrapper;
  }
  wrapper.className = 'field';
  var label = document.createElement('label');
  label.htmlFor = id;
  label.textContent = (field.label || field.id) + (field.required ? ' (required)' : '');
  var control;
  if (field.type === 'select' || field.type === 'filtered-select') {
    control = document.createElement('select');
    var empty = document.createElement('option');
    empty.value = '';
    empty.textContent = 'Choose…';
    control.append(empty);
    (field.options || []).forEach(function (option) {
      if (!option || option.option_type === 'group') return;
      var el = document.createElement('option');
      el.value = String(option.value);
      el.textContent = option.label;
      control.append(el);
    });
    control.value = value === undefined || value === null ? '' : String(value);
  } else if (field.type === 'textarea') {
    control = document.createElement('textarea');
    control.rows = 3;
    control.value = value === undefined || value === null ? '' : String(value);
  } else {
    control = document.createElement('input');
    control.type = inputType(field);
    control.autocomplete = 'off';
    control.value = value === undefined || value === null ? '' : String(value);
    if (field.type === 'number') control.dataset.kind = 'number';
  }
  control.id = id;
  control.name = field.id;
  control.required = !!field.required;
  control.disabled = !!field.disabled;
  if (field.placeholder) control.placeholder = field.placeholder;
  wrapper.append(label);
  if (field.prefix || field.suffix) {
    var affix = document.createElement('div');
    affix.className = 'affix';
    if (field.prefix) { var pre = document.createElement('span'); pre.textContent = field.prefix; affix.append(pre); }
    affix.append(control);
    if (field.suffix) { var suf = document.createElement('span'); suf.textContent = field.suffix; affix.append(suf); }
    wrapper.append(affix);
  } else {
    wrapper.append(control);
  }
  if (field.description) {
    var hint = document.createElement('span');
    hint.className = 'hint';
    hint.id = id + '-hint';
    hint.textContent = field.description;
    control.setAttribute('aria-describedby', hint.id);
    wrapper.append(hint);
  }
  return wrapper;
}

function renderDetail(c) {
  current = c;
  renderHeader(c);
  els.list.hidden = true;
  els.detail.hidden = false;
  els.back.hidden = !!(options && options.serviceId);
  els.state.textContent = statusLabel(c);
  var configured = c.integration_state === 'configured';
  els.note.hidden = configured;
  els.note.textContent = configured ? '' : 'This integration must be configured by the application owner before it can be connected.';

  var oauth = c.auth_type === 'oauth2';
  var reauth = c.state === 'callable' || c.state === 'invalid';
  els.authorize.hidden = !(configured && oauth && (!reauth || allowed('reauthorize')));
  els.authorize.textContent = reauth ? 'Re-authorize' : 'Authorize';
  els.toggle.hidden = !(configured && c.state !== 'available' && allowed('disable'));
  els.toggle.textContent = c.enabled === false ? 'Enable' : 'Disable';
  els.remove.hidden = !(c.state !== 'available' && allowed('delete'));

  var fields = (c.form_fields || []).filter(function (f) { return f && !f.hidden && !f.deprecated; });
  var settings = c.settings || {};
  els.fields.replaceChildren.apply(els.fields, fields.map(function (f) { return renderField(f, settings[f.id]); }));
  els.form.hidden = !(configured && fields.length > 0);
}

async function showList() {
  current = null;
  renderHeader(null);
  els.detail.hidden = true;
  setStatus('Loading integrations…');
  var query = options.unifiedApi ? '?api=' + encodeURIComponent(options.unifiedApi) : '';
  var connections = await api('GET', '/vault/connections' + query);
  els.listItems.replaceChildren.apply(els.listItems, connections.map(function (c) {
    var item = document.createElement('li');
    var button = document.createElement('button');
    button.type = 'button';
    button.className = 'secondary';
    var name = document.createElement('span');
    name.textContent = c.name || c.service_id;
    var state = document.createElement('span');
    state.className = 'muted';
    state.textContent = statusLabel(c);
    button.append(name, state);
    button.addEventListener('click', function () { run(function () { return openConnection(c.unified_api, c.service_id); }); });
    item.append(button);
    return item;
  }));
  els.list.hidden = false;
  setStatus(connections.length + ' integrations');
  var first = els.listItems.querySelector('button');
  if (first) first.focus();
}

async function openConnection(unifiedApi, serviceId) {
  setStatus('Loading…');
  var c = await api('GET', '/vault/connections/' + encodeURIComponent(unifiedApi) + '/' + encodeURIComponent(serviceId));
  renderDetail(c);
  setStatus('');
  var focusable = [els.authorize, els.toggle, els.remove, els.close].filter(function (b) { return !b.hidden; })[0];
  if (focusable) focusable.focus();
  if (options.autoStartAuthorization && !autoStarted && !els.authorize.hidden && c.state !== 'callable') {
    autoStarted = true;
    await authorize();
  }
}

async function run(task) {
  if (busy) return;
  showError('');
  setBusy(true);
  try {
    await task();
  } catch (error) {
    setStatus('');
    showError(error && error.message ? error.message : String(error));
  } finally {
    setBusy(false);
  }
}

function changed(c) {
  renderDetail(c);
  post({ type: 'on-connection-change', data: c });
}

async function authorize() {
  var c = current;
  setStatus('Authorizing…');
  var grant = c.oauth_grant_type;
  var updated = (grant === 'client_credentials' || grant === 'password')
    ? await api('POST', connectionPath(c) + '/token', {})
    : await api('POST', '/__sandbox/authorize/' + encodeURIComponent(c.unified_api) + '/' + encodeURIComponent(c.service_id));
  changed(updated);
  setStatus('Authorized.');
}

function readSettings() {
  var settings = {};
  Array.prototype.forEach.call(els.fields.querySelectorAll('input, select, textarea'), function (control) {
    if (control.disabled) return;
    if (control.dataset.kind === 'checkbox') { settings[control.name] = control.checked; return; }
    var value = control.value.trim();
    if (value === '') { settings[control.name] = null; return; }
    settings[control.name] = control.dataset.kind === 'number' ? Number(value) : value;
  });
  return settings;
}

els.authorize.addEventListener('click', function () { run(authorize); });
els.toggle.addEventListener('click', function () {
  run(async function () {
    setStatus('Saving…');
    changed(await api('PATCH', connectionPath(current), { enabled: current.enabled === false }));
    setStatus(current.enabled === false ? 'Disabled.' : 'Enabled.');
  });
});
els.remove.addEventListener('click', function () {
  run(async function () {
    var deleted = current;
    setStatus('Deleting…');
    await api('DELETE', connectionPath(deleted));
    post({ type: 'on-connection-delete', data: deleted });
    renderDetail(await api('GET', connectionPath(deleted)));
    setStatus('Deleted.');
    els.close.focus();
  });
});
els.form.addEventListener('submit', function (event) {
  event.preventDefault();
  if (!els.form.reportValidity()) return;
  run(async function () {
    setStatus('Saving…');
    changed(await api('PATCH', connectionPath(current), { settings: readSettings() }));
    setStatus('Settings saved.');
  });
});
els.back.addEventListener('click', function () { run(showList); });
els.close.addEventListener('click', requestClose);
dialog.addEventListener('cancel', function (event) { event.preventDefault(); requestClose(); });
document.addEventListener('keydown', function (event) {
  if (event.key === 'Escape') { event.preventDefault(); requestClose(); }
});

function applyTheme() {
  var theme = claims && claims.theme;
  var color = theme && theme.primary_color;
  if (typeof color === 'string' && window.CSS && CSS.supports('color', color)) {
    document.documentElement.style.setProperty('--primary', color);
  }
}

function start(received) {
  options = received;
  closed = false;
  autoStarted = false;
  showError('');
  try {
    claims = decodeClaims(options.token);
  } catch (error) {
    setStatus('');
    showError('The session token could not be read.');
    return;
  }
  if (typeof options.locale === 'string' && /^(en|nl|de|fr|es)$/.test(options.locale)) document.documentElement.lang = options.locale;
  els.attribution.hidden = options.showAttribution === false;
  applyTheme();
  run(function () {
    return options.unifiedApi && options.serviceId ? openConnection(options.unifiedApi, options.serviceId) : showList();
  });
}

window.addEventListener('message', function (event) {
  if (event.source !== window.parent || window.parent === window) return;
  if (parentOrigin !== '*' && event.origin !== parentOrigin) return;
  var data = event.data;
  if (!data || typeof data !== 'object') return;
  if (data.type === 'close') { requestClose(); return; }
  if (typeof data.token === 'string') start(data);
});

if (!dialog.open) dialog.showModal();
post('on-ready');
`;

const SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'cache-control': 'no-store',
  'referrer-policy': 'strict-origin-when-cross-origin',
};

/** The page's Content-Security-Policy for a given Vault API origin. */
export function modalPageCsp(vaultApiUrl: string): string {
  return `default-src 'self'; connect-src ${vaultApiUrl.replace(/\/+$/, '')}; img-src data: https:`;
}

/** The emulated Vault JS modal page as a Fetch handler: `/`, `/modal.js`, `/modal.css`. */
export function createVaultModalPage(options: VaultModalPageOptions): FetchHandler {
  const vaultApiUrl = options.vaultApiUrl.replace(/\/+$/, '');
  const csp = modalPageCsp(vaultApiUrl);
  const assets: Record<string, { type: string; body: string }> = {
    '/': { type: 'text/html; charset=utf-8', body: pageHtml(vaultApiUrl) },
    '/modal.js': { type: 'text/javascript; charset=utf-8', body: MODAL_JS },
    '/modal.css': { type: 'text/css; charset=utf-8', body: MODAL_CSS },
  };
  assets['/index.html'] = assets['/']!;

  return (request: Request): Promise<Response> => {
    const { pathname } = new URL(request.url);
    const headers = { ...SECURITY_HEADERS, 'content-security-policy': csp };
    const asset = assets[pathname];
    if (!asset) {
      return Promise.resolve(new Response('Not found', { status: 404, headers: { ...headers, 'content-type': 'text/plain; charset=utf-8' } }));
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      return Promise.resolve(
        new Response('Method not allowed', {
          status: 405,
          headers: { ...headers, allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' },
        }),
      );
    }
    return Promise.resolve(
      new Response(request.method === 'HEAD' ? null : asset.body, {
        status: 200,
        headers: { ...headers, 'content-type': asset.type },
      }),
    );
  };
}

/** The browser script, exported for tests (e.g. a syntax check). */
export const vaultModalScript = MODAL_JS;
