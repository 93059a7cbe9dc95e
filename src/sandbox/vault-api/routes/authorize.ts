/**
 * `GET /vault/authorize/{service_id}/{application_id}` (`connectionsAuthorize`), the `authorize_url` of every oauth2
 * connection. Where Apideck redirects to the provider, whose consent screen returns through Apideck's callback, the
 * sandbox shows one consent page on its own origin; its Authorize / Deny form (`POST …/decision`) completes the flow and
 * redirects (303) to the `redirect_uri`, with `#nonce=…&confirm_token=…&service_id=…` when a `nonce` was sent (the
 * connection then stays `pending_confirmation` until `POST …/confirm`). The page's stylesheet is served here too.
 */
import { randomState } from '../../../internal/popup/random-state.ts';
import { FormBodyError, PAGE_CSS_PATH, appendQuery, cssResponse, htmlResponse, readForm, redirectResponse } from '../../pages.ts';
import { consentPageHtml } from '../consent-page.ts';
import { VaultApiError, badRequest, unauthorized } from '../errors.ts';
import { requireAuthorizable } from '../records.ts';
import { type Route, SEGMENT } from '../router.ts';
import type { RouteContext } from './context.ts';

/** An authorize request the consent page was shown for, waiting for Authorize or Deny. Single use. */
interface PendingConsent {
  consumerId: string;
  unifiedApi: string;
  serviceId: string;
  /** The `redirect_uri` exactly as given (validated). */
  redirectUri: string;
  nonce: string | undefined;
  expiresAt: number;
}

const CONSENT_TTL_MS = 10 * 60 * 1000;
const MAX_NONCE_LENGTH = 512;

/**
 * The `redirect_uri` as given when it can go into a `Location` header unchanged (printable ASCII), else its parsed,
 * percent-encoded form.
 */
function headerSafe(raw: string, parsed: URL): string {
  return /^[\x21-\x7e]+$/.test(raw) ? raw : parsed.href;
}

export interface AuthorizeRoutes {
  routes: Route[];
  /** Forgets every consent page still waiting for an answer. */
  reset(): void;
}

export function authorizeRoutes({ applicationId, allowRedirectUri, now, store }: RouteContext): AuthorizeRoutes {
  const pendingConsents = new Map<string, PendingConsent>();

  /**
   * `GET /vault/authorize/{service_id}/{application_id}?state=…&redirect_uri=…[&nonce=…][&scope=…]`. No credentials: the
   * opaque `state` of the connection's `authorize_url` names the consumer and the connection.
   */
  function authorizePage(request: Request, [serviceId, requestedApplicationId]: string[]): Promise<Response> {
    const query = new URL(request.url).searchParams;
    const state = query.get('state');
    const redirectUri = query.get('redirect_uri');
    const nonce = query.get('nonce') ?? undefined;
    if (!state) throw badRequest('Invalid Params', 'Missing Param: state');
    if (!redirectUri) throw badRequest('Invalid Params', 'Missing Param: redirect_uri');
    let parsed: URL;
    try {
      parsed = new URL(redirectUri);
    } catch {
      throw badRequest('Invalid Params', 'redirect_uri: must be an absolute URL');
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
      throw badRequest('Invalid Params', 'redirect_uri: must be an http or https URL');
    }
    if (!allowRedirectUri(parsed)) {
      throw badRequest('Invalid Params', 'redirect_uri: not allowed for this application (the sandbox accepts localhost and 127.0.0.1)');
    }
    if (nonce !== undefined && (nonce === '' || nonce.length > MAX_NONCE_LENGTH)) {
      throw badRequest('Invalid Params', `nonce: must be 1 to ${MAX_NONCE_LENGTH} characters`);
    }
    if (requestedApplicationId !== applicationId) {
      throw new VaultApiError(404, 'EntityNotFoundError', 'Unknown application', {
        not_found: { entity: 'application', id: requestedApplicationId },
      });
    }
    const target = store.authorizeTarget(state);
    if (!target || target.serviceId !== serviceId) throw unauthorized('Invalid state');
    const record = store.find(target.consumerId, target.unifiedApi, target.serviceId);
    requireAuthorizable(record.connection);

    const consent = randomState();
    pendingConsents.set(consent, {
      consumerId: target.consumerId,
      unifiedApi: target.unifiedApi,
      serviceId: target.serviceId,
      redirectUri: headerSafe(redirectUri, parsed),
      nonce,
      expiresAt: now() + CONSENT_TTL_MS,
    });
    const html = consentPageHtml({
      connection: record.connection,
      consumerId: target.consumerId,
      redirectUri: parsed,
      consent,
      serviceId,
      applicationId: requestedApplicationId,
    });
    return Promise.resolve(htmlResponse(200, html));
  }

  /** `POST /vault/authorize/{service_id}/{application_id}/decision`, form body `consent` and `decision`. */
  async function authorizeDecision(request: Request, [serviceId, requestedApplicationId]: string[]): Promise<Response> {
    let form: URLSearchParams;
    try {
      form = await readForm(request);
    } catch (error) {
      if (error instanceof FormBodyError) throw badRequest('Invalid Params', error.message);
      throw error;
    }
    const consentId = form.get('consent') ?? '';
    const decision = form.get('decision');
    const consent = pendingConsents.get(consentId);
    if (!consent || consent.serviceId !== serviceId || requestedApplicationId !== applicationId) {
      throw badRequest('Invalid Params', 'This authorization request is unknown or was already answered; start again.');
    }
    if (decision !== 'authorize' && decision !== 'deny') throw badRequest('Invalid Params', 'decision: must be authorize or deny');
    pendingConsents.delete(consentId);
    if (consent.expiresAt <= now()) throw badRequest('Invalid Params', 'This authorization request has expired; start again.');

    if (decision === 'deny') {
      // What Apideck passes on when the provider's consent screen is declined: the provider returns
      // `error=access_denied` to Apideck's callback and Apideck redirects to the `redirect_uri` with it.
      return redirectResponse(303, appendQuery(consent.redirectUri, 'error=access_denied'));
    }
    const record = store.find(consent.consumerId, consent.unifiedApi, consent.serviceId);
    if (consent.nonce === undefined) {
      store.completeAuthorization(record);
      return redirectResponse(303, consent.redirectUri);
    }
    const confirmToken = store.issueConfirmToken(consent.consumerId, record);
    const fragment = new URLSearchParams({ nonce: consent.nonce, confirm_token: confirmToken, service_id: consent.serviceId }).toString();
    const hashAt = consent.redirectUri.indexOf('#');
    const base = hashAt === -1 ? consent.redirectUri : consent.redirectUri.slice(0, hashAt);
    return redirectResponse(303, `${base}#${fragment}`);
  }

  return {
    routes: [
      { pattern: new RegExp(`^/vault/authorize/${SEGMENT}/${SEGMENT}$`), methods: { GET: authorizePage } },
      { pattern: new RegExp(`^/vault/authorize/${SEGMENT}/${SEGMENT}/decision$`), methods: { POST: authorizeDecision } },
      {
        pattern: new RegExp(`^${PAGE_CSS_PATH.replace(/[./]/g, '\\$&')}$`),
        methods: { GET: (request) => Promise.resolve(cssResponse(request)) },
      },
    ],
    reset() {
      pendingConsents.clear();
    },
  };
}
