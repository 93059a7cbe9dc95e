/**
 * The Vault API emulator's router: a table of path patterns and their methods. It answers 405 (with `Allow`) for a
 * known path and another method, 404 for an unknown path, and turns whatever a handler throws into Apideck's error
 * envelope (a `VaultApiError` as itself, anything else as a 500 that says nothing more).
 */
import type { FetchHandler } from '../../server/node-adapter.ts';
import { VaultApiError, badRequest } from './errors.ts';
import { json } from './replies.ts';

/** A route's handler, given the request and the decoded path segments its pattern captured. */
export type RouteHandler = (request: Request, params: string[]) => Promise<Response>;

export interface Route {
  pattern: RegExp;
  methods: Partial<Record<string, RouteHandler>>;
}

/** One path segment, captured. */
export const SEGMENT = '([^/]+)';

async function dispatch(routes: readonly Route[], request: Request): Promise<Response> {
  const method = request.method.toUpperCase();
  const path = new URL(request.url).pathname.replace(/\/+$/, '') || '/';
  for (const route of routes) {
    const match = route.pattern.exec(path);
    if (!match) continue;
    const handle = route.methods[method];
    if (!handle) {
      const allow = [...Object.keys(route.methods), 'OPTIONS'].join(', ');
      throw new VaultApiError(405, 'MethodNotAllowedError', 'Method Not Allowed', `${method} is not allowed on ${path}`, { allow });
    }
    let params: string[];
    try {
      params = match.slice(1).map((segment) => decodeURIComponent(segment));
    } catch {
      throw badRequest('Invalid Params', 'The path is not valid');
    }
    return handle(request, params);
  }
  throw new VaultApiError(404, 'NotFoundError', 'Not Found', `No route for ${method} ${path}`);
}

export function createRouter(routes: readonly Route[]): FetchHandler {
  return async (request) => {
    try {
      return await dispatch(routes, request);
    } catch (error) {
      if (error instanceof VaultApiError) return json(error.status, error.toEnvelope(), error.headers);
      return json(500, new VaultApiError(500, 'UnexpectedError', 'Unexpected error', 'The sandbox failed to handle the request').toEnvelope());
    }
  };
}
