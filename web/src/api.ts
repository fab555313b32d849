// The typed API client: openapi-fetch over the contract's generated types (lambdas/http/api-schema.generated.ts,
// `npm run api:types`). Every answer that is not 2xx becomes an ApiError carrying the API's code, message and field.
import createClient from 'openapi-fetch';
import type { components, paths } from '../../lambdas/http/api-schema.generated.ts';

export type Api = ReturnType<typeof createApi>;
export type ErrorBody = components['schemas']['Error'];

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly field: string | undefined;
  readonly retryAfterSeconds: number | undefined;

  constructor(status: number, code: string, message: string, field?: string, retryAfterSeconds?: number) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.field = field;
    this.retryAfterSeconds = retryAfterSeconds;
  }

  /** What the person can do about it, in words. */
  get advice(): string {
    if (this.status === 401) return 'Your session has ended. Sign in again.';
    if (this.status === 403) return `${this.message}.`;
    if (this.status === 404) return 'It does not exist, or you may not see it.';
    if (this.status === 409)
      return `${this.message}. Someone changed it meanwhile: what you see has been refreshed.`;
    if (this.status === 503) return 'Keyholder is busy. Nothing was changed; try again in a moment.';
    if (this.status === 0) return 'Keyholder could not be reached. Check your connection and try again.';
    return this.message;
  }
}

export function createApi(baseUrl: string, accessToken: () => string | undefined) {
  const client = createClient<paths>({ baseUrl: baseUrl.replace(/\/$/, '') });
  client.use({
    onRequest({ request }) {
      const token = accessToken();
      if (token) request.headers.set('authorization', `Bearer ${token}`);
      return request;
    },
  });
  return client;
}

/** The data of an openapi-fetch answer, or an ApiError. */
export async function unwrap<T>(
  pending: Promise<{ data?: T; error?: unknown; response: Response }>,
): Promise<NonNullable<T>> {
  let answer: { data?: T; error?: unknown; response: Response };
  try {
    answer = await pending;
  } catch {
    throw new ApiError(0, 'NETWORK', 'Keyholder could not be reached');
  }
  const { data, error, response } = answer;
  if (response.ok && data !== undefined && data !== null) return data as NonNullable<T>;
  const body = error as Partial<ErrorBody> & { message?: string };
  const retryAfter = Number(response.headers.get('retry-after'));
  throw new ApiError(
    response.status,
    body?.error?.code ?? String(response.status),
    body?.error?.message ?? body?.message ?? response.statusText,
    body?.error?.field,
    Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : undefined,
  );
}

/** TanStack Query's retry rule: 503 (BUSY, starting) and network failures are retried, nothing else. */
export function shouldRetry(failureCount: number, error: unknown): boolean {
  return error instanceof ApiError && (error.status === 503 || error.status === 0) && failureCount < 3;
}

export function retryDelay(attempt: number, error: unknown): number {
  if (error instanceof ApiError && error.retryAfterSeconds) return error.retryAfterSeconds * 1000;
  return Math.min(500 * 2 ** attempt, 4000);
}
