/**
 * The status rules with `health` (docs/statuses.md): health speaks only for a connection that was authorized (state
 * `callable` or `authorized`), below Apideck's own rules; each status has its label, tone and actions, the one that
 * puts the row right first; the
 * expiring date and the degraded time are written with `Intl` in the element's language.
 */
import { expect } from '@open-wc/testing';
import type { Connection } from '../../../src/index.ts';
import {
  actionControl,
  actionsOf,
  badge,
  closeMenu,
  connection,
  mountWithList,
  offeredActions,
  restoreFetch,
  row,
  rows,
  shadow,
  text,
} from '../support/helpers.ts';

const DAY = 86_400_000;
/** A day this year, well away from today (so the year is not written), at noon UTC. */
const THIS_YEAR_DAY = (() => {
  const now = new Date();
  const month = now.getUTCMonth() < 6 ? 10 : 1;
  return Date.UTC(now.getUTCFullYear(), month, 12, 12);
})();

function dayIn(locale: string, ms: number): string {
  return new Intl.DateTimeFormat(locale, { day: 'numeric', month: 'long' }).format(new Date(ms));
}

interface Case {
  name: string;
  conn: Connection;
  status: string;
  label: string;
  tone: string;
  actions: string[];
  /** The action that puts the row right, listed first (none: `undefined`). */
  fix?: string;
}

const CASES: Case[] = [
  {
    name: 'callable + needs_auth needs re-authorization',
    conn: connection({ service_id: 'needs-auth', state: 'callable', health: 'needs_auth' }),
    status: 'needs_reauth',
    label: 'Reconnect needed',
    tone: 'danger',
    actions: ['reconnect', 'settings', 'disable', 'disconnect'],
    fix: 'reconnect',
  },
  {
    name: 'callable + revoked needs re-authorization',
    conn: connection({ service_id: 'revoked', state: 'callable', health: 'revoked' }),
    status: 'needs_reauth',
    label: 'Reconnect needed',
    tone: 'danger',
    actions: ['reconnect', 'settings', 'disable', 'disconnect'],
    fix: 'reconnect',
  },
  {
    name: 'authorized + needs_consent needs re-authorization',
    conn: connection({ service_id: 'consent', state: 'authorized', health: 'needs_consent' }),
    status: 'needs_reauth',
    label: 'Reconnect needed',
    tone: 'danger',
    actions: ['reconnect', 'settings', 'disable', 'disconnect'],
    fix: 'reconnect',
  },
  {
    name: 'a non-OAuth connection that needs re-authorization is connected again',
    conn: connection({ service_id: 'key-revoked', state: 'callable', auth_type: 'apiKey', health: 'needs_auth' }),
    status: 'needs_reauth',
    label: 'Reconnect needed',
    tone: 'danger',
    actions: ['connect', 'settings', 'disable', 'disconnect'],
    fix: 'connect',
  },
  {
    name: 'pending_confirmation offers reconnect when the element holds no confirm token',
    conn: connection({ service_id: 'confirming', state: 'authorized', health: 'pending_confirmation' }),
    status: 'pending_confirmation',
    label: 'Confirming…',
    tone: 'neutral',
    actions: ['reconnect', 'disconnect'],
    fix: 'reconnect',
  },
  {
    name: 'pending_refresh with a retention window is expiring, with its date',
    conn: connection({ service_id: 'expiring', state: 'callable', health: 'pending_refresh', credentials_expire_at: THIS_YEAR_DAY }),
    status: 'expiring',
    label: `Reconnect before ${dayIn('en', THIS_YEAR_DAY)}`,
    tone: 'warning',
    actions: ['reconnect', 'settings', 'disable', 'disconnect'],
    fix: 'reconnect',
  },
  {
    name: 'pending_refresh without a retention window is connected',
    conn: connection({ service_id: 'refreshing', state: 'callable', health: 'pending_refresh', credentials_expire_at: 0 }),
    status: 'connected',
    label: 'Connected',
    tone: 'success',
    actions: ['settings', 'reconnect', 'disable', 'disconnect'],
  },
  {
    name: 'callable + missing_settings asks for input',
    conn: connection({ service_id: 'missing', state: 'callable', health: 'missing_settings' }),
    status: 'input_required',
    label: 'Input required',
    tone: 'warning',
    actions: ['settings', 'disable', 'disconnect'],
    fix: 'settings',
  },
  {
    name: 'degraded is connected, with a line under the name',
    conn: connection({ service_id: 'degraded', state: 'callable', health: 'degraded', last_downstream_error_at: Date.now() - 60_000 }),
    status: 'degraded',
    label: 'Connected',
    tone: 'warning',
    actions: ['settings', 'reconnect', 'disable', 'disconnect'],
  },
  {
    name: 'callable + ok is connected',
    conn: connection({ service_id: 'ok', state: 'callable', health: 'ok' }),
    status: 'connected',
    label: 'Connected',
    tone: 'success',
    actions: ['settings', 'reconnect', 'disable', 'disconnect'],
  },
  {
    name: 'authorized + ok still asks for input (Apideck’s label)',
    conn: connection({ service_id: 'authorized-ok', state: 'authorized', health: 'ok' }),
    status: 'input_required',
    label: 'Input required',
    tone: 'warning',
    actions: ['settings', 'disable', 'disconnect'],
    fix: 'settings',
  },
  {
    name: 'an unknown health value changes nothing',
    conn: connection({ service_id: 'unknown-health', state: 'callable', health: 'on_fire' }),
    status: 'connected',
    label: 'Connected',
    tone: 'success',
    actions: ['settings', 'reconnect', 'disable', 'disconnect'],
  },
  // Apideck's own rules keep their precedence above health.
  {
    name: 'an added connection that never was authorized stays unauthorized, whatever its health',
    conn: connection({ service_id: 'added-needs-auth', state: 'added', health: 'needs_auth' }),
    status: 'unauthorized',
    label: 'Unauthorized',
    tone: 'warning',
    actions: ['connect', 'settings', 'disconnect'],
    fix: 'connect',
  },
  {
    name: 'invalid beats health',
    conn: connection({ service_id: 'invalid-degraded', state: 'invalid', health: 'degraded' }),
    status: 'invalid',
    label: 'Invalid configuration',
    tone: 'danger',
    actions: ['settings', 'reconnect', 'disconnect'],
  },
  {
    name: 'available beats health',
    conn: connection({ service_id: 'available-revoked', state: 'available', health: 'revoked' }),
    status: 'not_connected',
    label: 'Not connected',
    tone: 'neutral',
    actions: ['connect'],
    fix: 'connect',
  },
  {
    name: 'enabled:false beats health',
    conn: connection({ service_id: 'disabled-revoked', state: 'callable', enabled: false, health: 'revoked' }),
    status: 'disabled',
    label: 'Disabled',
    tone: 'neutral',
    actions: ['enable', 'settings', 'disconnect'],
  },
  {
    name: 'integration needs_configuration beats health',
    conn: connection({ service_id: 'unconfigured-expiring', integration_state: 'needs_configuration', state: 'callable', health: 'pending_refresh', credentials_expire_at: THIS_YEAR_DAY }),
    status: 'needs_configuration',
    label: 'Needs configuration',
    tone: 'warning',
    actions: [],
  },
];

describe('<vault-connect> status with health', () => {
  afterEach(restoreFetch);

  it('draws each health status with its label, tone and actions (the fix first), below Apideck’s own rules', async () => {
    const { el, events } = await mountWithList(CASES.map((c) => c.conn));
    expect(events.errors).to.deep.equal([]);
    expect(rows(el)).to.have.length(CASES.length);
    for (const c of CASES) {
      const r = row(el, c.conn.service_id);
      expect(badge(r).dataset.status, c.name).to.equal(c.status);
      expect(text(badge(r)), c.name).to.equal(c.label);
      expect(badge(r).dataset.tone, c.name).to.equal(c.tone);
      expect(await offeredActions(r), c.name).to.deep.equal(c.actions);
      // The fix is the row's primary action, its one visible button; the others are in the More menu.
      if (c.fix) expect(actionsOf(r)[0], c.name).to.equal(c.fix);
      expect(actionsOf(r), c.name).to.deep.equal([...c.actions.slice(0, 1), ...(c.actions.length > 1 ? ['more'] : [])]);
      // Every action is an enabled control the user can see (the menu's items once it opens).
      for (const action of c.actions) {
        const b = await actionControl(r, action);
        expect(b.disabled, `${c.name}: ${action}`).to.be.false;
        expect(b.getBoundingClientRect().width, `${c.name}: ${action} is visible`).to.be.greaterThan(0);
        await closeMenu(r);
      }
    }
  });

  it('a callable + needs_auth connection shows needs_reauth with Reconnect visible, labelled with its name', async () => {
    const { el } = await mountWithList([connection({ service_id: 'acme', name: 'Acme CRM', state: 'callable', health: 'needs_auth' })]);
    const r = row(el, 'acme');
    expect(badge(r).dataset.status).to.equal('needs_reauth');
    const reconnect = await actionControl(r, 'reconnect');
    expect(reconnect.getAttribute('aria-label')).to.equal('Reconnect Acme CRM');
    expect(getComputedStyle(reconnect).display).to.not.equal('none');
    expect(reconnect.checkVisibility()).to.be.true;
  });

  it('an expiring row shows its date, with the year when it is not this year’s', async () => {
    const nextYear = Date.UTC(new Date().getUTCFullYear() + 1, 2, 12, 12);
    const { el } = await mountWithList([
      connection({ service_id: 'soon', state: 'callable', health: 'pending_refresh', credentials_expire_at: THIS_YEAR_DAY }),
      connection({ service_id: 'later', state: 'callable', health: 'pending_refresh', credentials_expire_at: nextYear }),
    ]);
    expect(text(badge(row(el, 'soon')))).to.equal(`Reconnect before ${dayIn('en', THIS_YEAR_DAY)}`);
    const later = new Intl.DateTimeFormat('en', { day: 'numeric', month: 'long', year: 'numeric' }).format(new Date(nextYear));
    expect(text(badge(row(el, 'later')))).to.equal(`Reconnect before ${later}`);
    expect(text(badge(row(el, 'later')))).to.contain(String(new Date(nextYear).getFullYear()));
  });

  it('writes the date in the element’s language', async () => {
    const { el } = await mountWithList(
      [connection({ service_id: 'soon', state: 'callable', health: 'pending_refresh', credentials_expire_at: THIS_YEAR_DAY })],
      { locale: 'de' },
    );
    expect(text(badge(row(el, 'soon')))).to.equal(`Vor dem ${dayIn('de', THIS_YEAR_DAY)} erneut verbinden`);
    el.locale = 'fr';
    await el.updateComplete;
    expect(text(badge(row(el, 'soon')))).to.equal(`À reconnecter avant le ${dayIn('fr', THIS_YEAR_DAY)}`);
  });

  it('a degraded row says since when the provider has not answered: the time today, the day before', async () => {
    const today = new Date();
    today.setHours(9, 5, 0, 0);
    const earlier = THIS_YEAR_DAY;
    const { el } = await mountWithList([
      connection({ service_id: 'today', state: 'callable', health: 'degraded', last_downstream_error_at: today.getTime() }),
      connection({ service_id: 'earlier', state: 'callable', health: 'degraded', last_downstream_error_at: earlier }),
      connection({ service_id: 'no-time', state: 'callable', health: 'degraded', last_downstream_error_at: 0 }),
    ]);
    const time = new Intl.DateTimeFormat('en', { hour: 'numeric', minute: '2-digit' }).format(today);
    expect(text(row(el, 'today').querySelector('.hint'))).to.equal(`The provider has not answered since ${time}`);
    const then = new Intl.DateTimeFormat('en', { day: 'numeric', month: 'long', hour: 'numeric', minute: '2-digit' }).format(new Date(earlier));
    expect(text(row(el, 'earlier').querySelector('.hint'))).to.equal(`The provider has not answered since ${then}`);
    // Without a time there is no line, and the badge still reads Connected.
    expect(row(el, 'no-time').querySelector('.hint')).to.equal(null);
    expect(text(badge(row(el, 'no-time')))).to.equal('Connected');
    expect(badge(row(el, 'no-time')).dataset.status).to.equal('degraded');
  });

  it('a date no Date can hold falls back to words; a negative window is no window', async () => {
    const { el, events } = await mountWithList([
      connection({ service_id: 'huge', state: 'callable', health: 'pending_refresh', credentials_expire_at: 9e15 }),
      connection({ service_id: 'negative', state: 'callable', health: 'pending_refresh', credentials_expire_at: -5 * DAY }),
      connection({ service_id: 'nan-degraded', state: 'callable', health: 'degraded', last_downstream_error_at: 9e15 }),
    ]);
    expect(events.errors).to.deep.equal([]);
    expect(badge(row(el, 'huge')).dataset.status).to.equal('expiring');
    expect(text(badge(row(el, 'huge')))).to.equal('Reconnect soon');
    expect(badge(row(el, 'negative')).dataset.status).to.equal('connected');
    expect(row(el, 'nan-degraded').querySelector('.hint')).to.equal(null);
  });

  it('a health field of the wrong type is an invalid reply, not a guess', async () => {
    const { el, events } = await mountWithList([{ ...connection({ service_id: 'x' }), credentials_expire_at: 'tomorrow' }]);
    expect(events.errors.map((e) => e.code)).to.deep.equal(['invalid_response']);
    expect(rows(el)).to.have.length(0);
    expect(shadow(el).querySelector('[part="state"]')?.getAttribute('role')).to.equal('alert');
  });

  it('allow_actions without reauthorize hides Reconnect: the row keeps the rest', async () => {
    const { el } = await mountWithList([connection({ service_id: 'gated', state: 'callable', health: 'revoked' })], {
      claims: { settings: { allow_actions: ['delete', 'disable'] } },
    });
    const r = row(el, 'gated');
    expect(badge(r).dataset.status).to.equal('needs_reauth');
    expect(await offeredActions(r)).to.deep.equal(['settings', 'disable', 'disconnect']);
  });
});
