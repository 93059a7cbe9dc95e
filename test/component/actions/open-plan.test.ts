/**
 * How a row opens (`planOpen`), and that the fields only `direct` mode reads (`settings_required_for_authorization`,
 * `form_fields`) are checked when it opens a connector, not with the list: a malformed value sends that connector to
 * the modal and leaves the rest of the list alone.
 */
import { expect } from '@open-wc/testing';
import type { Connection } from '../../../src/internal/api/schemas.ts';
import { planOpen } from '../../../src/internal/actions/open-plan.ts';
import { connection, mountWithList, restoreFetch, row, rows } from '../support/helpers.ts';

const CALLBACK = 'https://host.test/callback';
const oauth = (extra: Record<string, unknown> = {}): Connection =>
  connection({
    service_id: 'pipedrive',
    auth_type: 'oauth2',
    oauth_grant_type: 'authorization_code',
    authorize_url: 'https://unify.test/vault/authorize/pipedrive/app?state=x',
    ...extra,
  });

describe('planOpen', () => {
  afterEach(restoreFetch);

  it('modal by default, Hosted Vault for popup, and the modal whenever no callback page can answer', () => {
    expect(planOpen(oauth(), 'connect', 'modal', CALLBACK)).to.equal('modal');
    expect(planOpen(oauth(), 'connect', 'popup', CALLBACK)).to.equal('hosted');
    expect(planOpen(oauth(), 'connect', 'direct', undefined)).to.equal('modal');
  });

  it('direct: the authorize_url for an OAuth connector that needs nothing first; the modal for settings and other auth types', () => {
    expect(planOpen(oauth(), 'connect', 'direct', CALLBACK)).to.equal('direct');
    expect(planOpen(oauth(), 'settings', 'direct', CALLBACK)).to.equal('modal');
    expect(planOpen(oauth({ auth_type: 'apiKey' }), 'connect', 'direct', CALLBACK)).to.equal('modal');
    expect(planOpen(oauth({ authorize_url: null }), 'connect', 'direct', CALLBACK)).to.equal('modal');
    expect(planOpen(oauth({ oauth_grant_type: 'client_credentials' }), 'connect', 'direct', CALLBACK)).to.equal('token');
  });

  it('direct: the modal when settings are required before authorization, or a required field has no value', () => {
    expect(planOpen(oauth({ settings_required_for_authorization: ['subdomain'] }), 'connect', 'direct', CALLBACK)).to.equal('modal');
    expect(planOpen(oauth({ settings_required_for_authorization: [] }), 'connect', 'direct', CALLBACK)).to.equal('direct');
    const field = (value: unknown) => ({ form_fields: [{ id: 'subdomain', required: true, value }] });
    expect(planOpen(oauth(field('')), 'connect', 'direct', CALLBACK)).to.equal('modal');
    expect(planOpen(oauth(field(null)), 'connect', 'direct', CALLBACK)).to.equal('modal');
    expect(planOpen(oauth(field('acme')), 'connect', 'direct', CALLBACK)).to.equal('direct');
  });

  it('direct: malformed fields send the connector to the modal, without throwing', () => {
    const hostileLength = { length: { valueOf: () => Symbol('x') } };
    for (const extra of [
      { form_fields: 'oops' },
      { form_fields: [42] },
      { form_fields: [{ required: 'yes' }] },
      { settings_required_for_authorization: 'subdomain' },
      { settings_required_for_authorization: [1] },
      { form_fields: hostileLength },
    ]) {
      expect(planOpen(oauth(extra), 'connect', 'direct', CALLBACK), JSON.stringify(extra)).to.equal('modal');
    }
  });

  it('a list with a malformed form_fields still renders every row', async () => {
    const list = [oauth({ form_fields: 'oops', settings_required_for_authorization: { not: 'an array' } }), connection({ service_id: 'hubspot' })];
    const { el, events } = await mountWithList(list);
    expect(events.errors).to.have.length(0);
    expect(rows(el)).to.have.length(2);
    expect(row(el, 'pipedrive').dataset.serviceId).to.equal('pipedrive');
  });
});
