/** `POST /vault/sessions` (`sessionsCreate`): a session JWT and its Hosted Vault `session_uri`; API key only. */
import { parseWith } from '../errors.ts';
import { readJson, ok } from '../replies.ts';
import { SessionSchema } from '../request-schemas.ts';
import type { Route } from '../router.ts';
import type { RouteContext } from './context.ts';

export function sessionRoutes({ authenticate, sessions, hostedVaultUrl }: RouteContext): Route[] {
  async function createSession(request: Request): Promise<Response> {
    const { consumerId } = await authenticate(request, { apiKeyOnly: true });
    const session = parseWith(SessionSchema, (await readJson(request)) ?? {});
    const token = await sessions.sign(consumerId, session);
    return ok({ session_uri: `${hostedVaultUrl}/session/${token}`, session_token: token });
  }

  return [{ pattern: /^\/vault\/sessions$/, methods: { POST: createSession } }];
}
