/**
 * The Vault modal that does not come up: the row shows progress until the modal calls `onReady`; a modal that does not
 * within 10 s (its frame never loads), or whose frame the page's Content-Security-Policy blocks, is closed, the row
 * shows the error with Try again, `vault-connect-error` fires (`network_error`, or `blocked_by_policy` with the
 * directive), and the developer gets one `console.warn`. The 10 s are a fake clock's.
 */
import { expect } from '@open-wc/testing';
import type { VaultConnect, VaultModalOptions } from '../../../src/index.ts';
import { installFakeClock, type FakeClock } from '../support/fake-clock.ts';
import {
  actionsOf,
  button,
  FakeVaultModal,
  mountSandbox,
  offeredActions,
  restoreFetch,
  row,
  sandbox,
  shadow,
  text,
  until,
} from '../support/helpers.ts';

let clock: FakeClock;
let warnings: unknown[][];
const realWarn = console.warn;

beforeEach(() => {
  clock = installFakeClock({ holdTimeouts: (delay) => delay === 10_000 });
  warnings = [];
  console.warn = (...args: unknown[]) => void warnings.push(args);
});

afterEach(() => {
  clock.restore();
  console.warn = realWarn;
  restoreFetch();
  for (const frame of document.querySelectorAll('iframe[data-test-modal]')) frame.remove();
});

function progress(el: VaultConnect, serviceId: string): string {
  return text(row(el, serviceId).querySelector('.progress'));
}

/** A frame-src violation as Chromium reports it, for the origin of `url`. */
function frameViolation(url: string, directive = 'frame-src'): SecurityPolicyViolationEvent {
  return new SecurityPolicyViolationEvent('securitypolicyviolation', {
    blockedURI: url,
    documentURI: location.href,
    effectiveDirective: directive,
    violatedDirective: directive,
    originalPolicy: `${directive} 'self'`,
    disposition: 'enforce',
    statusCode: 200,
    bubbles: true,
    composed: true,
  });
}

/** A modal whose frame is in the page but never says it is ready (as when a policy or a blocker stops it). */
class FramedModal extends FakeVaultModal {
  constructor(readonly frameUrl: string) {
    super({ ready: false });
  }

  override open(options: VaultModalOptions): void {
    super.open(options);
    const frame = document.createElement('iframe');
    frame.dataset.testModal = '';
    frame.src = this.frameUrl;
    frame.hidden = true;
    document.body.append(frame);
  }
}

describe('<vault-connect> a Vault modal that does not come up', () => {
  it('shows progress until the modal calls onReady', async () => {
    const modal = new FakeVaultModal({ ready: false });
    const { el, events } = await mountSandbox({ vaultModal: modal });
    button(row(el, 'pipedrive'), 'connect').click();
    const options = await modal.waitForOpen();
    await el.updateComplete;
    expect(progress(el, 'pipedrive')).to.equal('Opening…');
    expect(row(el, 'pipedrive').getAttribute('aria-busy')).to.equal('true');
    expect(button(row(el, 'pipedrive'), 'connect').disabled).to.be.true;

    options.onReady?.();
    await until(() => progress(el, 'pipedrive') === '', 'the progress goes once the modal is up');
    expect(row(el, 'pipedrive').getAttribute('aria-busy')).to.equal('false');
    // Ready in time: the 10 s no longer count.
    clock.tick(20_000);
    await el.updateComplete;
    expect(events.errors).to.deep.equal([]);
    expect(modal.closed).to.equal(0);
    options.onClose?.();
  });

  it('not ready within 10 s: closed, network_error within 12 s, the row says so with Try again and is usable again', async () => {
    const modal = new FakeVaultModal({ ready: false });
    const { el, events } = await mountSandbox({ vaultModal: modal });
    let settled = false;
    const flow = el.openConnection('pipedrive').then(() => (settled = true));
    const first = await modal.waitForOpen();

    clock.tick(9_999);
    await el.updateComplete;
    expect(events.errors).to.deep.equal([]);
    expect(modal.closed).to.equal(0);
    clock.tick(1);
    await events.waitFor('vault-connect-error');
    await flow;
    expect(settled).to.be.true;
    expect(modal.closed).to.equal(1);
    expect(events.errors).to.deep.equal([
      { code: 'network_error', message: 'Network error. Check your connection and try again.', retryable: true },
    ]);
    await el.updateComplete;
    const r = row(el, 'pipedrive');
    expect(text(r.querySelector('[part="row-error"]'))).to.equal('Network error. Check your connection and try again.');
    expect(await offeredActions(r)).to.deep.equal(['connect', 'retry']);
    expect(button(r, 'connect').disabled).to.be.false;
    expect(button(r, 'retry').disabled).to.be.false;
    expect(r.getAttribute('aria-busy')).to.equal('false');

    // A late onReady from the closed modal changes nothing.
    first.onReady?.();
    first.onConnectionChange?.({});
    await el.updateComplete;
    expect(events.changes).to.deep.equal([]);

    // Try again opens the modal anew; this time it comes up.
    button(r, 'retry').click();
    const second = await modal.waitForOpen(2);
    second.onReady?.();
    await until(() => row(el, 'pipedrive').querySelector('[part="row-error"]') === null, 'the new attempt clears the error');
    second.onClose?.();
    await until(() => actionsOf(row(el, 'pipedrive')).join() === 'connect', 'the row as before');
    expect(events.errors).to.have.length(1);
  });

  it('says once, for the developer, what the cause is and how to fix it', async () => {
    const modal = new FakeVaultModal({ ready: false });
    const { el, events } = await mountSandbox({ vaultModal: modal });
    for (let attempt = 1; attempt <= 2; attempt++) {
      const flow = el.openConnection('pipedrive');
      await modal.waitForOpen(attempt);
      clock.tick(10_000);
      await flow;
    }
    expect(events.errors.map((e) => e.code)).to.deep.equal(['network_error', 'network_error']);
    expect(warnings).to.have.length(1);
    const [message] = warnings[0] as [string];
    expect(message).to.match(/^vault-connect: /);
    expect(message).to.contain('onReady').and.contain('https://vaultjs.apideck.com').and.contain('open-mode="popup"');
  });

  it('a frame the page’s policy blocks: blocked_by_policy at once, with the directive, and one warning', async () => {
    const { vaultJsUrl } = await sandbox();
    const modal = new FramedModal(vaultJsUrl);
    const { el, events } = await mountSandbox({ vaultModal: modal });
    const flow = el.openConnection('pipedrive');
    await modal.waitForOpen();
    // Violations that name no frame of the page change nothing.
    document.dispatchEvent(frameViolation('https://ads.example/pixel.png', 'img-src'));
    document.dispatchEvent(frameViolation('https://elsewhere.example/'));
    await el.updateComplete;
    expect(events.errors).to.deep.equal([]);

    document.dispatchEvent(frameViolation(vaultJsUrl));
    await flow;
    const origin = new URL(vaultJsUrl).origin;
    expect(events.errors).to.deep.equal([
      {
        code: 'blocked_by_policy',
        message: `The page’s Content-Security-Policy blocked the Vault window: frame-src ${origin}`,
        retryable: false,
      },
    ]);
    expect(modal.closed).to.equal(1);
    await el.updateComplete;
    expect(await offeredActions(row(el, 'pipedrive'))).to.deep.equal(['connect', 'retry']);
    expect(text(row(el, 'pipedrive').querySelector('[part="row-error"]'))).to.contain('frame-src');
    expect(warnings).to.have.length(1);
    expect(String(warnings[0][0])).to.contain('Content-Security-Policy').and.contain(`frame-src ${origin}`);
    // Nothing is left waiting: the ready timer is gone with the flow.
    expect(clock.pending()).to.equal(0);
  });

  it('cancel() and removing the element leave no ready timer behind', async () => {
    const modal = new FakeVaultModal({ ready: false });
    const { el, events } = await mountSandbox({ vaultModal: modal });
    const flow = el.openConnection('pipedrive');
    await modal.waitForOpen();
    expect(clock.pending()).to.equal(1);
    el.cancel();
    await flow;
    expect(clock.pending()).to.equal(0);

    const again = el.openConnection('pipedrive');
    await modal.waitForOpen(2);
    el.remove();
    await again;
    expect(clock.pending()).to.equal(0);
    clock.tick(20_000);
    expect(events.errors).to.deep.equal([]);
    expect(shadow(el).querySelector('[part="row-error"]')).to.equal(null);
  });
});
