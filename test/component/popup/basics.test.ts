import { expect } from '@open-wc/testing';
import { VaultConnectError } from '../../../src/internal/api/errors.ts';
import {
  CallbackMessageSchema,
  MAX_PARAMS,
  MAX_VALUE_LENGTH,
  paramsOf,
} from '../../../src/internal/popup/callback-message.ts';
import { openPopup } from '../../../src/internal/popup/open-popup.ts';
import { randomState } from '../../../src/internal/popup/random-state.ts';
import { PENDING_KEY } from '../../../src/internal/popup/redirect-fallback.ts';
import { callbackMessage } from '../support/popup-helpers.ts';

function decode(state: string): Uint8Array {
  const binary = atob(state.replace(/-/g, '+').replace(/_/g, '/') + '=='.slice(0, (4 - (state.length % 4)) % 4));
  return Uint8Array.from(binary, (char) => char.charCodeAt(0));
}

describe('randomState', () => {
  it('is 128 bits from crypto.getRandomValues, base64url without padding', () => {
    const descriptor = Object.getOwnPropertyDescriptor(Crypto.prototype, 'getRandomValues')!;
    const original = descriptor.value as (array: Uint8Array) => Uint8Array;
    const sizes: number[] = [];
    Object.defineProperty(crypto, 'getRandomValues', {
      configurable: true,
      value: (array: Uint8Array) => {
        sizes.push(array.byteLength);
        return original.call(crypto, array);
      },
    });
    try {
      const state = randomState();
      expect(state).to.match(/^[A-Za-z0-9_-]{22}$/);
      expect(decode(state).length).to.equal(16);
      expect(sizes).to.deep.equal([16]);
    } finally {
      delete (crypto as { getRandomValues?: unknown }).getRandomValues;
    }
  });

  it('never repeats and uses every bit', () => {
    const states = Array.from({ length: 2000 }, randomState);
    expect(new Set(states).size).to.equal(states.length);
    let ones = 0;
    for (const state of states) for (const byte of decode(state)) for (let bit = 0; bit < 8; bit++) ones += (byte >> bit) & 1;
    const ratio = ones / (states.length * 128);
    expect(ratio).to.be.within(0.48, 0.52);
  });
});

describe('openPopup', () => {
  const originalOpen = Object.getOwnPropertyDescriptor(window, 'open')!;
  afterEach(() => {
    Object.defineProperty(window, 'open', originalOpen);
  });

  function stubOpen(result: () => Window | null): Array<[string, string, string]> {
    const calls: Array<[string, string, string]> = [];
    window.open = (url?: string | URL, target?: string, features?: string) => {
      calls.push([String(url), target ?? '', features ?? '']);
      return result();
    };
    return calls;
  }

  function features(text: string): Record<string, string> {
    return Object.fromEntries(text.split(',').map((pair) => pair.split('=') as [string, string]));
  }

  it('opens about:blank as a popup, 500×700 by default, centred on the browser window', () => {
    const popup = { closed: false } as Window;
    const calls = stubOpen(() => popup);
    expect(openPopup('vault-connect-1')).to.equal(popup);
    expect(calls).to.have.length(1);
    const [url, name, text] = calls[0];
    expect(url).to.equal('about:blank');
    expect(name).to.equal('vault-connect-1');
    expect(features(text)).to.deep.equal({
      popup: 'yes',
      width: '500',
      height: '700',
      left: String(Math.round(screenX + (outerWidth - 500) / 2)),
      top: String(Math.round(screenY + (outerHeight - 700) / 2)),
    });
  });

  it('takes another size', () => {
    const calls = stubOpen(() => ({ closed: false }) as Window);
    openPopup('x', { width: 600, height: 400 });
    const parsed = features(calls[0][2]);
    expect(parsed.width).to.equal('600');
    expect(parsed.height).to.equal('400');
    expect(parsed.left).to.equal(String(Math.round(screenX + (outerWidth - 600) / 2)));
    expect(parsed.top).to.equal(String(Math.round(screenY + (outerHeight - 400) / 2)));
  });

  for (const [label, result] of [
    ['null', () => null],
    ['an already closed window', () => ({ closed: true }) as Window],
    [
      'a throwing window.open',
      () => {
        throw new DOMException('blocked', 'InvalidAccessError');
      },
    ],
  ] as const) {
    it(`throws a retryable popup_blocked for ${label}`, () => {
      stubOpen(result);
      let error: unknown;
      try {
        openPopup('x');
      } catch (caught) {
        error = caught;
      }
      expect(error).to.be.instanceOf(VaultConnectError);
      expect((error as VaultConnectError).code).to.equal('popup_blocked');
      expect((error as VaultConnectError).retryable).to.be.true;
    });
  }

  it('clears a stale same-tab flow first, so the popup does not get a copy of it', () => {
    sessionStorage.setItem(PENDING_KEY, '{"stale":true}');
    stubOpen(() => ({ closed: false }) as Window);
    openPopup('x');
    expect(sessionStorage.getItem(PENDING_KEY)).to.equal(null);
  });

  it('opens a real popup window', () => {
    const popup = openPopup('vault-connect-real');
    try {
      expect(popup.closed).to.be.false;
      expect(popup.location.href).to.equal('about:blank');
    } finally {
      popup.close();
    }
  });
});

describe('CallbackMessageSchema', () => {
  it('accepts a message and reads query and fragment parameters', () => {
    const message = callbackMessage(paramsOf('?state=a&code=b'), paramsOf('#nonce=n&confirm_token=t'));
    expect(CallbackMessageSchema.safeParse(message).success).to.be.true;
    expect(message.query).to.deep.equal({ state: 'a', code: 'b' });
    expect(message.fragment).to.deep.equal({ nonce: 'n', confirm_token: 't' });
  });

  it('keeps the first of a repeated parameter and a __proto__ key as plain data', () => {
    const params = paramsOf('state=first&state=second&__proto__=x');
    expect(params.state).to.equal('first');
    expect(Object.getPrototypeOf(params)).to.equal(Object.prototype);
    expect(Object.hasOwn(params, '__proto__')).to.be.true;
  });

  it('rejects malformed and oversized messages', () => {
    const tooMany = Object.fromEntries(Array.from({ length: MAX_PARAMS + 1 }, (_, i) => [`k${i}`, 'v']));
    const bad: unknown[] = [
      null,
      'vault-connect:callback',
      { ...callbackMessage(), type: 'other' },
      { ...callbackMessage(), id: 'short' },
      { ...callbackMessage(), id: 42 },
      { ...callbackMessage(), query: { state: 1 } },
      { ...callbackMessage(), query: tooMany },
      { ...callbackMessage(), fragment: { long: 'x'.repeat(MAX_VALUE_LENGTH + 1) } },
      { type: 'vault-connect:callback', id: randomState(), query: {} },
    ];
    for (const candidate of bad) expect(CallbackMessageSchema.safeParse(candidate).success, JSON.stringify(candidate)?.slice(0, 80)).to.be.false;
  });
});
