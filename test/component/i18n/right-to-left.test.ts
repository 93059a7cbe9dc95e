/**
 * Right-to-left: with `dir="rtl"` on the host page (or any ancestor) the layout mirrors — a row's icon and name on the
 * right, its badge and actions on the left, headings and text from the right — as measured with
 * `getBoundingClientRect`; the same checks in left-to-right see the opposite, so they do measure the direction.
 */
import { expect } from '@open-wc/testing';
import { setViewport } from '@web/test-runner-commands';
import type { VaultConnect } from '../../../src/index.ts';
import {
  chooseAction,
  connection,
  dialog,
  mountWithList,
  restoreFetch,
  row,
  rows,
  shadow,
} from '../support/helpers.ts';
import { answerDialog } from '../support/vaultre-helpers.ts';

const LIST = [
  connection({ service_id: 'salesforce', name: 'Salesforce', tag_line: 'CRM for everyone' }),
  connection({ service_id: 'hubspot', name: 'HubSpot', state: 'available' }),
  connection({ service_id: 'xero', name: 'Xero', unified_api: 'accounting', enabled: false }),
];

/** Half a pixel of rounding either way. */
const EPSILON = 0.5;

function rect(element: Element | null): DOMRect {
  if (!element) throw new Error('no element to measure');
  return element.getBoundingClientRect();
}

/** Where the text itself (not its box) is drawn. */
function textRect(element: Element | null): DOMRect {
  const range = document.createRange();
  range.selectNodeContents(element!);
  return range.getBoundingClientRect();
}

function part(rowElement: HTMLElement, name: string): Element | null {
  return rowElement.querySelector(`[part~="${name}"]`);
}

type Direction = 'rtl' | 'ltr';

/** Asserts the row is laid out from the `direction`'s start: icon, text, badge, actions. */
function expectRow(rowElement: HTMLElement, direction: Direction): void {
  const box = rect(rowElement);
  const icon = rect(part(rowElement, 'icon'));
  // The text column (a grid cell), and the name drawn in it.
  const name = rect(rowElement.querySelector('.text'));
  const drawn = textRect(part(rowElement, 'name'));
  const badge = rect(part(rowElement, 'badge'));
  const actions = rect(part(rowElement, 'actions'));
  const buttons = [...rowElement.querySelectorAll('button')].map(rect);
  const id = rowElement.dataset.serviceId;
  if (direction === 'rtl') {
    expect(box.right - icon.right, `${id}: the icon hugs the right edge`).to.be.below(box.width / 8);
    expect(icon.left, `${id}: the text is left of the icon`).to.be.at.least(name.right - EPSILON);
    expect(name.right - drawn.right, `${id}: the name starts at the right`).to.be.below(1);
    expect(name.left, `${id}: the badge is left of the text`).to.be.at.least(badge.right - EPSILON);
    expect(badge.left, `${id}: the actions are left of the badge`).to.be.at.least(actions.right - EPSILON);
    expect(actions.left - box.left, `${id}: the actions hug the left edge`).to.be.below(box.width / 8);
    // The first button is at the inline start of the group: the rightmost.
    for (let i = 1; i < buttons.length; i++) expect(buttons[i - 1].left, `${id}: button order`).to.be.at.least(buttons[i].right - EPSILON);
  } else {
    expect(icon.left - box.left, `${id}: the icon hugs the left edge`).to.be.below(box.width / 8);
    expect(name.left, `${id}: the text is right of the icon`).to.be.at.least(icon.right - EPSILON);
    expect(drawn.left - name.left, `${id}: the name starts at the left`).to.be.below(1);
    expect(badge.left, `${id}: the badge is right of the text`).to.be.at.least(name.right - EPSILON);
    expect(actions.left, `${id}: the actions are right of the badge`).to.be.at.least(badge.right - EPSILON);
    expect(box.right - actions.right, `${id}: the actions hug the right edge`).to.be.below(box.width / 8);
    for (let i = 1; i < buttons.length; i++) expect(buttons[i].left, `${id}: button order`).to.be.at.least(buttons[i - 1].right - EPSILON);
  }
}

/** Asserts the group titles start at the `direction`'s start. */
function expectTitles(el: VaultConnect, direction: Direction): void {
  for (const title of shadow(el).querySelectorAll('[part="group-title"]')) {
    const box = rect(title);
    const drawn = textRect(title);
    if (direction === 'rtl') expect(box.right - drawn.right, title.textContent ?? '').to.be.below(1);
    else expect(drawn.left - box.left, title.textContent ?? '').to.be.below(1);
  }
}

async function mountList(): Promise<VaultConnect> {
  const { el } = await mountWithList(LIST);
  el.style.width = '640px';
  await el.updateComplete;
  return el;
}

afterEach(() => {
  document.documentElement.removeAttribute('dir');
  restoreFetch();
});

describe('<vault-connect> right to left', () => {
  it('dir="rtl" on the page mirrors every row: icon and name right, badge and actions left', async () => {
    document.documentElement.dir = 'rtl';
    const el = await mountList();
    expect(rows(el)).to.have.length(LIST.length);
    for (const item of rows(el)) expectRow(item, 'rtl');
    expectTitles(el, 'rtl');
  });

  it('left to right, the same checks see the opposite', async () => {
    const el = await mountList();
    for (const item of rows(el)) expectRow(item, 'ltr');
    expectTitles(el, 'ltr');
  });

  it('dir="rtl" on an ancestor only, and switched at runtime', async () => {
    const el = await mountList();
    el.parentElement!.dir = 'rtl';
    for (const item of rows(el)) expectRow(item, 'rtl');
    el.parentElement!.dir = 'ltr';
    for (const item of rows(el)) expectRow(item, 'ltr');
  });

  it('on a narrow screen the badge and actions wrap under the name, from the right', async () => {
    document.documentElement.dir = 'rtl';
    await setViewport({ width: 420, height: 800 });
    try {
      const { el } = await mountWithList(LIST);
      for (const item of rows(el)) {
        const name = rect(item.querySelector('.text'));
        const badge = rect(part(item, 'badge'));
        const first = rect(item.querySelector('button'));
        const id = item.dataset.serviceId;
        expect(badge.top, `${id}: the badge is below the name`).to.be.at.least(name.bottom - EPSILON);
        expect(Math.abs(badge.right - name.right), `${id}: the badge starts at the right, under the name`).to.be.below(1);
        expect(Math.abs(first.right - name.right), `${id}: the first button starts at the right, under the name`).to.be.below(1);
      }
    } finally {
      await setViewport({ width: 800, height: 600 });
    }
  });

  it('the search box text and the confirmation dialog follow the direction', async () => {
    document.documentElement.dir = 'rtl';
    const el = await mountList();
    const input = shadow(el).querySelector<HTMLInputElement>('input[type="search"]')!;
    expect(getComputedStyle(input).direction).to.equal('rtl');
    const toolbar = rect(shadow(el).querySelector('.toolbar'));
    expect(Math.abs(rect(input).right - toolbar.right), 'the search box starts at the right').to.be.below(1);

    await chooseAction(row(el, 'salesforce'), 'disconnect');
    const confirm = await dialog(el);
    const cancel = rect(confirm.querySelector('button[value="cancel"]'));
    const ok = rect(confirm.querySelector('button[value="confirm"]'));
    const box = rect(confirm);
    // The dialog's buttons sit at its inline end (left), cancel first (right of confirm).
    expect(cancel.left, 'cancel is right of confirm').to.be.at.least(ok.right - EPSILON);
    expect(ok.left - box.left, 'the buttons hug the left edge').to.be.below(box.width / 4);
    await answerDialog(confirm, 'cancel');
  });
});
