import { expect } from '@open-wc/testing';
import { SEED_CONNECTOR_COUNT } from '../../../src/sandbox/seed.ts';
import { sendKeys } from '@web/test-runner-commands';
import type { VaultConnect } from '../../../src/index.ts';
import { mountSandbox, rows, serviceIds, shadow, statePanel, text, visibleRows } from '../support/helpers.ts';

function searchBox(el: VaultConnect): HTMLInputElement {
  const input = shadow(el).querySelector<HTMLInputElement>('input[type="search"][part="search"]');
  if (!input) throw new Error('no search box');
  return input;
}

async function typeInto(el: VaultConnect, value: string): Promise<void> {
  const input = searchBox(el);
  input.focus();
  await sendKeys({ type: value });
  await el.updateComplete;
}

async function clear(el: VaultConnect): Promise<void> {
  const input = searchBox(el);
  input.value = '';
  input.dispatchEvent(new InputEvent('input', { bubbles: true, composed: true }));
  await el.updateComplete;
}

function visibleGroups(el: VaultConnect): string[] {
  return [...shadow(el).querySelectorAll<HTMLElement>('[part="group"]')].filter((g) => !g.hidden).map((g) => g.dataset.unifiedApi ?? '');
}

describe('<vault-connect> search against the sandbox', () => {
  it('is labelled, and filters rows by name, case-insensitively, hiding groups left empty', async () => {
    const { el, events } = await mountSandbox();
    const input = searchBox(el);
    expect(input.getAttribute('aria-label')).to.equal('Search integrations');
    expect(input.placeholder).to.equal('Search integrations…');

    await typeInto(el, 'SALES');
    expect(serviceIds(visibleRows(el))).to.deep.equal(['salesforce']);
    expect(visibleGroups(el)).to.deep.equal(['crm']);
    // Hidden rows stay in the DOM, hidden.
    expect(rows(el)).to.have.length(SEED_CONNECTOR_COUNT);
    expect(statePanel(el)).to.equal(null);

    await clear(el);
    await typeInto(el, 'pE');
    // Pipedrive and Copper in one group, Personio in another.
    expect(serviceIds(visibleRows(el))).to.deep.equal(['pipedrive', 'copper', 'personio']);
    expect(visibleGroups(el)).to.deep.equal(['crm', 'hris']);
    expect(events.errors).to.deep.equal([]);
  });

  it('ignores surrounding spaces', async () => {
    const { el } = await mountSandbox();
    await typeInto(el, '  xero  ');
    expect(serviceIds(visibleRows(el))).to.deep.equal(['xero']);
  });

  it('shows the no-matches message when nothing matches, and everything again when cleared', async () => {
    const { el } = await mountSandbox();
    await typeInto(el, 'zzz nothing');
    expect(visibleRows(el)).to.have.length(0);
    expect(visibleGroups(el)).to.deep.equal([]);
    expect(text(statePanel(el))).to.equal('No integrations match “zzz nothing”.');

    await clear(el);
    expect(visibleRows(el)).to.have.length(SEED_CONNECTOR_COUNT);
    expect(visibleGroups(el)).to.deep.equal(['crm', 'accounting', 'hris', 'ats', 'file-storage']);
    expect(statePanel(el)).to.equal(null);
  });

  it('treats the query as text, not markup or a pattern', async () => {
    const { el } = await mountSandbox();
    await typeInto(el, '.*');
    expect(visibleRows(el)).to.have.length(0);
    expect(text(statePanel(el))).to.equal('No integrations match “.*”.');
  });

  it('keeps the query while the list reloads', async () => {
    const { el } = await mountSandbox();
    await typeInto(el, 'hub');
    await el.refresh();
    await el.updateComplete;
    expect(searchBox(el).value).to.equal('hub');
    expect(serviceIds(visibleRows(el))).to.deep.equal(['hubspot']);
  });
});
