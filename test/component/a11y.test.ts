import { expect } from '@open-wc/testing';
import {
  STUB_API,
  button,
  connection,
  dialog,
  errorResponse,
  forgedToken,
  gate,
  mount,
  mountSandbox,
  mountWithList,
  restoreFetch,
  row,
  shadow,
  stubFetch,
  type Gate,
  until,
} from './support/helpers.ts';

describe('accessibility (axe)', () => {
  let held: Gate | undefined;
  afterEach(() => {
    held?.open();
    held = undefined;
    restoreFetch();
  });

  it('the list (against the sandbox, every status and action)', async () => {
    const { el } = await mountSandbox();
    await expect(el).to.be.accessible();
  });

  it('the list with a search that hides rows', async () => {
    const { el } = await mountSandbox();
    const input = shadow(el).querySelector<HTMLInputElement>('input[type="search"]');
    if (!input) throw new Error('no search box');
    input.value = 'hub';
    input.dispatchEvent(new InputEvent('input'));
    await el.updateComplete;
    await expect(el).to.be.accessible();
  });

  it('no matches', async () => {
    const { el } = await mountSandbox();
    const input = shadow(el).querySelector<HTMLInputElement>('input[type="search"]');
    if (!input) throw new Error('no search box');
    input.value = 'zzz';
    input.dispatchEvent(new InputEvent('input'));
    await el.updateComplete;
    await expect(el).to.be.accessible();
  });

  it('loading', async () => {
    held = gate();
    const pending = held.promise;
    stubFetch((call) => (call.url.origin === STUB_API ? pending.then(() => errorResponse(500, 'x', 'x', 'x')) : undefined));
    const { el } = await mount({ token: forgedToken(), unifyBaseUrl: STUB_API });
    expect(shadow(el).querySelector('.skeleton')).to.not.equal(null);
    await expect(el).to.be.accessible();
  });

  it('empty', async () => {
    const { el } = await mountWithList([]);
    await expect(el).to.be.accessible();
  });

  it('error', async () => {
    const { el } = await mountWithList([], {
      route: (call) => (call.url.origin === STUB_API ? errorResponse(500, 'Internal Server Error', 'UnexpectedError', 'Unexpected error') : undefined),
    });
    expect(shadow(el).querySelector('[data-action="retry"]')).to.not.equal(null);
    await expect(el).to.be.accessible();
  });

  it('waiting for a session', async () => {
    const { el } = await mount({ unifyBaseUrl: STUB_API });
    await expect(el).to.be.accessible();
  });

  it('a row with a pending action and a row error', async () => {
    held = gate();
    const pending = held.promise;
    const { el, events } = await mountWithList([connection({ service_id: 'salesforce' }), connection({ service_id: 'hubspot' })], {
      route: (call) => {
        if (call.method !== 'PATCH') return undefined;
        return call.url.pathname.endsWith('/hubspot')
          ? errorResponse(422, 'Unprocessable Entity', 'InvalidStateError', 'Nope')
          : pending.then(() => errorResponse(500, 'x', 'x', 'x'));
      },
    });
    button(row(el, 'hubspot'), 'disable').click();
    await events.waitFor('vault-connect-error');
    button(row(el, 'salesforce'), 'disable').click();
    await el.updateComplete;
    expect(row(el, 'salesforce').getAttribute('aria-busy')).to.equal('true');
    await expect(el).to.be.accessible();
  });

  it('with the disconnect dialog open', async () => {
    const { el } = await mountSandbox();
    button(row(el, 'salesforce'), 'disconnect').click();
    await el.updateComplete;
    const d = await dialog(el);
    await until(() => d.open, 'the dialog opens');
    await expect(el).to.be.accessible();
    d.close();
  });
});
