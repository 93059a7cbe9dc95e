/**
 * The session token's claims are read with a few lines instead of a library (`internal/api/jwt-payload.ts`): base64url
 * without padding, UTF-8 payloads, and every malformed token refused with `MalformedJwtError` (which the element turns
 * into `session_failed`, with no request to the Vault API).
 */
import { expect } from '@open-wc/testing';
import { MalformedJwtError, decodeJwtPayload } from '../../../src/internal/api/jwt-payload.ts';
import { readSession } from '../../../src/internal/api/session-source.ts';
import { VaultConnectError } from '../../../src/internal/api/errors.ts';

/** base64url of UTF-8 text, without padding, as a JWT encodes its segments. */
function base64url(text: string): string {
  const binary = Array.from(new TextEncoder().encode(text), (byte) => String.fromCharCode(byte)).join('');
  return btoa(binary).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
}

const HEADER = base64url('{"alg":"HS256","typ":"JWT"}');
const jwt = (payload: string) => `${HEADER}.${base64url(payload)}.c2lnbmF0dXJl`;

describe('decodeJwtPayload', () => {
  it('reads the payload of a JWT, whatever its length needs as padding', () => {
    for (const consumer of ['a', 'ab', 'abc', 'abcd']) {
      expect(decodeJwtPayload(jwt(`{"consumer_id":"${consumer}"}`))).to.deep.equal({ consumer_id: consumer });
    }
  });

  it('decodes base64url (- and _) and UTF-8 claims', () => {
    // "ÿÿ?>" encodes with both base64url-only characters; the consumer name is not ASCII.
    const payload = JSON.stringify({ consumer_id: 'Zoë ✓', note: 'ÿÿ?>' });
    const token = jwt(payload);
    expect(token.split('.')[1]).to.match(/[-_]/);
    expect(decodeJwtPayload(token)).to.deep.equal(JSON.parse(payload));
  });

  const malformed: Record<string, string> = {
    'an empty string': '',
    'one segment': 'abc',
    'two segments': `${HEADER}.${base64url('{}')}`,
    'four segments': `${HEADER}.${base64url('{}')}.sig.extra`,
    'an empty payload': `${HEADER}..sig`,
    'standard base64 (+ and /) in the payload': `${HEADER}.ab+/cd.sig`,
    'padding in the payload': `${HEADER}.${base64url('{"a":1}')}==.sig`,
    'a payload of impossible length': `${HEADER}.abcde.sig`,
    'a payload that is not JSON': jwt('not json'),
    'a payload that is not UTF-8': `${HEADER}.${btoa('{"a":"\xff"}').replace(/=+$/, '')}.sig`,
  };
  for (const [name, token] of Object.entries(malformed)) {
    it(`refuses ${name}`, () => {
      expect(() => decodeJwtPayload(token)).to.throw(MalformedJwtError);
    });
  }
});

describe('readSession with a malformed token', () => {
  it('is session_failed, with the decoding error as the cause', () => {
    let thrown: unknown;
    try {
      readSession(`${HEADER}.%%%.sig`);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).to.be.instanceOf(VaultConnectError);
    expect((thrown as VaultConnectError).code).to.equal('session_failed');
    expect((thrown as VaultConnectError).cause).to.be.instanceOf(MalformedJwtError);
  });

  it('is session_failed for a JSON payload that is not an object with the claims', () => {
    for (const payload of ['[]', 'null', '42', '{"application_id":"app"}']) {
      expect(() => readSession(jwt(payload))).to.throw(VaultConnectError);
    }
  });

  it('reads the two claims the element needs', () => {
    const session = readSession(jwt('{"application_id":"app","consumer_id":"user-1","exp":2000000000}'));
    expect(session.claims).to.include({ application_id: 'app', consumer_id: 'user-1' });
  });
});
