/**
 * A windowed list under `style-src 'self'` (no 'unsafe-inline'): its padding goes through the CSSOM, which the policy
 * allows, so nothing is blocked and the list is as tall as its rows. (Its own file: a policy, once in force, stays.)
 */
import { expect } from '@open-wc/testing';
import { connection, mountWithList, restoreFetch, rows, shadow, until } from '../support/helpers.ts';

describe('<vault-connect> windowed list under a strict style-src', () => {
  afterEach(restoreFetch);

  it('sets its padding without a violation', async () => {
    const violations: string[] = [];
    window.addEventListener('securitypolicyviolation', (event) => violations.push(`${event.effectiveDirective} ${event.blockedURI}`), true);
    const meta = document.createElement('meta');
    meta.httpEquiv = 'Content-Security-Policy';
    meta.content = "style-src 'self'";
    document.head.append(meta);
    // The policy is in force: a style attribute written as markup is refused.
    const probe = document.createElement('div');
    probe.setAttribute('style', 'color: red');
    document.body.append(probe);
    await until(() => violations.length > 0, 'the probe reported');
    probe.remove();
    violations.length = 0;

    const list = Array.from({ length: 600 }, (_, i) => connection({ service_id: `svc-${i}`, name: `Connector ${i}` }));
    const { el } = await mountWithList(list);
    await until(() => rows(el).length > 0, 'rows drawn');
    const ul = shadow(el).querySelector<HTMLElement>('ul.windowed')!;
    expect(parseFloat(getComputedStyle(ul).paddingBlockEnd), 'padding for the rows not drawn').to.be.greaterThan(1000);
    window.scrollTo(0, 20_000);
    await until(() => parseFloat(getComputedStyle(ul).paddingBlockStart) > 1000, 'padding for the rows above');
    window.scrollTo(0, 0);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(violations).to.deep.equal([]);
  });
});
