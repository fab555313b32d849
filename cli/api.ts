// The CLI's only way to the HTTP API: openapi-fetch over the types generated from the contract
// (lambdas/http/api-schema.generated.ts, `npm run api:types`), so every route, parameter, body and answer is the
// contract's. A 503 BUSY (nothing was written) or "starting" is retried twice; any other answer that
// is not 2xx becomes an ApiError carrying the API's code, message and field.
import createClient, { type Client } from 'openapi-fetch';
import type { components, paths } from '../lambdas/http/api-schema.generated.ts';
import { ApiError, CliError } from './errors.ts';

export type Api = Client<paths>;
export type ErrorBody = components['schemas']['Error'];

type JsonOf<Operation> = Operation extends {
  responses: { 200: { content: { 'application/json': infer Body } } };
}
  ? Body
  : never;

/** The answers the CLI shows, as the contract types them. */
export type RequestView = JsonOf<paths['/requests/{id}']['get']>;
export type TimelineView = JsonOf<paths['/requests/{id}/timeline']['get']>;
export type AccessAnswer = JsonOf<paths['/access']['get']>;
export type AccessNow = Extract<AccessAnswer, { access: unknown }>;
export type AccessHistory = Extract<AccessAnswer, { intervals: unknown }>;
export type DatasetList = JsonOf<paths['/datasets']['get']>;
export type MeView = JsonOf<paths['/me']['get']>;
export type SignInConfig = JsonOf<paths['/auth/config']['get']>;

export const USER_AGENT = 'keyholder-cli/0.1.0';

export interface ApiOptions {
  /** The bearer token; undefined for the public routes. */
  readonly token?: () => Promise<string | undefined>;
  readonly fetch?: typeof globalThis.fetch;
  /** What to suggest after a 401 (log in again, or check KEYHOLDER_TOKEN). */
  readonly unauthenticatedHint?: string;
  /** Pause between 503 retries. @default 300 ms, doubling */
  readonly retryDelayMs?: number;
}

export function apiClient(baseUrl: string, options: ApiOptions = {}): Api {
  const underlying = options.fetch ?? globalThis.fetch;
  const delay = options.retryDelayMs ?? 300;
  const fetchWithRetry = async (input: Request): Promise<Response> => {
    for (let attempt = 0; ; attempt += 1) {
      const response = await underlying(input.clone());
      if (response.status !== 503 || attempt >= 2 || !(await worthRetrying(response))) return response;
      await new Promise((resolve) => setTimeout(resolve, delay * 2 ** attempt));
    }
  };
  const client = createClient<paths>({ baseUrl, fetch: fetchWithRetry });
  client.use({
    async onRequest({ request }) {
      request.headers.set('user-agent', USER_AGENT);
      const token = await options.token?.();
      if (token) request.headers.set('authorization', `Bearer ${token}`);
      return request;
    },
  });
  return client;
}

/** A 503 that will pass: BUSY (lost a race, nothing written) or a stack still starting; not "not configured". */
async function worthRetrying(response: Response): Promise<boolean> {
  try {
    const body = (await response.clone().json()) as { error?: { code?: string }; status?: string };
    return body?.error?.code === 'BUSY' || body?.status === 'starting';
  } catch {
    return false;
  }
}

/** The data of an openapi-fetch answer, or a CliError that says why there is none. */
export async function unwrap<T>(
  baseUrl: string,
  pending: Promise<{ data?: T; error?: unknown; response: Response }>,
  options: Pick<ApiOptions, 'unauthenticatedHint'> = {},
): Promise<NonNullable<T>> {
  let answer: { data?: T; error?: unknown; response: Response };
  try {
    answer = await pending;
  } catch (error) {
    if (error instanceof CliError) throw error;
    throw unreachable(baseUrl, error);
  }
  const { data, error, response } = answer;
  if (response.ok && data !== undefined && data !== null) return data as NonNullable<T>;
  throw errorOf(response, error, options.unauthenticatedHint);
}

export function errorOf(response: Response, body: unknown, unauthenticatedHint?: string): ApiError {
  const known = (body as Partial<ErrorBody> | undefined)?.error;
  const code = typeof known?.code === 'string' ? known.code : `HTTP_${response.status}`;
  const message =
    typeof known?.message === 'string'
      ? known.message
      : typeof body === 'string' && body.trim() !== '' && body.length < 300
        ? body.trim()
        : `the API answered ${response.status} ${response.statusText}`.trim();
  const hint = response.status === 401 ? unauthenticatedHint : undefined;
  return new ApiError(response.status, code, message, known?.field, hint);
}

export function unreachable(baseUrl: string, error: unknown): CliError {
  const cause = (error as { cause?: { code?: string; message?: string } })?.cause;
  const why = cause?.code ?? cause?.message ?? (error as Error)?.message ?? String(error);
  return new CliError(`cannot reach the Keyholder API at ${baseUrl} (${why})`);
}
