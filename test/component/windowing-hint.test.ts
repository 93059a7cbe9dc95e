/**
 * A long reply starts the windowing chunk's download as soon as it is parsed, before it is validated (the chunk then
 * arrives while zod works); a short one never asks for it. Shown with a long reply that fails validation: no windowed
 * list is ever drawn, yet the chunk was asked for, and the failure is the usual `invalid_response`. (Its own file, in
 * this order: a module, once loaded, stays loaded.)
 */
import { expect } from '@open-wc/testing';
import { connection, mountWithList, restoreFetch, statePanel, until } from './helpers.ts';

const requested = (name: string) => performance.getEntriesByType('resource').some((entry) => entry.name.includes(name));

describe('the windowing hint', () => {
  afterEach(restoreFetch);

  it('a short reply does not ask for the windowing chunk', async () => {
    await mountWithList([connection({ service_id: 'hubspot' })]);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(requested('windowed-rows')).to.equal(false);
  });

  it('a long reply asks for it once parsed, even one that then fails validation', async () => {
    const list: unknown[] = Array.from({ length: 300 }, (_, i) => connection({ service_id: `svc-${i}` }));
    list.push({ service_id: 42, unified_api: 'crm' });
    const { el, events } = await mountWithList(list);
    expect(events.errors.map((e) => e.code)).to.deep.equal(['invalid_response']);
    expect(statePanel(el)?.getAttribute('role')).to.equal('alert');
    await until(() => requested('windowed-rows'), 'the chunk asked for');
  });
});
