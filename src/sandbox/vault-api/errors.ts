/** Apideck's error envelope, as thrown by every part of the Vault API emulator and written out by its router. */
import type * as z from 'zod';

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  404: 'Not Found',
  405: 'Method Not Allowed',
  413: 'Payload Too Large',
  422: 'Unprocessable Entity',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
};

/** An error that becomes Apideck's error envelope. */
export class VaultApiError extends Error {
  override readonly name = 'VaultApiError';
  readonly status: number;
  readonly typeName: string;
  readonly detail: string | Record<string, unknown>;
  /** Extra response headers, e.g. `Allow` on a 405. */
  readonly headers: Record<string, string>;

  constructor(
    status: number,
    typeName: string,
    message: string,
    detail?: string | Record<string, unknown>,
    headers: Record<string, string> = {},
  ) {
    super(message);
    this.status = status;
    this.typeName = typeName;
    this.detail = detail ?? message;
    this.headers = headers;
  }

  toEnvelope(): Record<string, unknown> {
    return {
      status_code: this.status,
      error: REASONS[this.status] ?? 'Error',
      type_name: this.typeName,
      message: this.message,
      detail: this.detail,
      ref: `https://developers.apideck.com/errors#${this.typeName.toLowerCase()}`,
    };
  }
}

export const unauthorized = (detail: string) => new VaultApiError(401, 'UnauthorizedError', 'Unauthorized Request', detail);
export const badRequest = (message: string, detail?: string | Record<string, unknown>) =>
  new VaultApiError(400, 'RequestValidationError', message, detail);
export const unprocessable = (message: string, detail?: string | Record<string, unknown>) =>
  new VaultApiError(422, 'InvalidStateError', message, detail);
export const connectionNotFound = (unifiedApi: string, serviceId: string) =>
  new VaultApiError(404, 'EntityNotFoundError', 'Unknown Connection', {
    not_found: { entity: 'connection', id: `${unifiedApi}+${serviceId}` },
  });

function formatIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => (issue.path.length > 0 ? `${issue.path.join('.')}: ${issue.message}` : issue.message))
    .join('; ');
}

/** Parses a request value, or throws Apideck's 400 `Invalid Params` with every issue in `detail`. */
export function parseWith<T>(schema: z.ZodType<T>, value: unknown): T {
  const result = schema.safeParse(value);
  if (!result.success) throw badRequest('Invalid Params', formatIssues(result.error));
  return result.data;
}
