// Helpers the benchmark sections share: percentiles, an HTTP client acting as a principal on the local stack,
// and bench principals written into the directory.
import { mapConcurrent } from '../lambdas/adapters/dynamodb/audit-ledger.ts';
import type { DynamoDbDirectory } from '../lambdas/adapters/dynamodb/directory.ts';
import type { Principal } from '../lambdas/core/model.ts';
import type { LocalStack } from '../local/stack.ts';

export { mapConcurrent };

export interface Percentiles {
  readonly count: number;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly max: number;
  readonly mean: number;
}

/** Nearest-rank percentiles (the sample at or above the rank), in the samples' own unit. */
export function percentiles(samples: readonly number[]): Percentiles {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)] ?? Number.NaN;
  const sum = sorted.reduce((total, value) => total + value, 0);
  return {
    count: sorted.length,
    p50: at(0.5),
    p95: at(0.95),
    p99: at(0.99),
    max: sorted.at(-1) ?? Number.NaN,
    mean: sorted.length > 0 ? sum / sorted.length : Number.NaN,
  };
}

export function median(samples: readonly number[]): number {
  return percentiles(samples).p50;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface Answer<T = Record<string, unknown>> {
  readonly status: number;
  readonly body: T;
}

export interface BenchClient {
  /** One call, tried again on 503 (nothing was written) a few times with backoff. */
  call<T = Record<string, unknown>>(
    as: string,
    method: string,
    path: string,
    body?: unknown,
  ): Promise<Answer<T>>;
  /** Exactly one call. */
  once<T = Record<string, unknown>>(
    as: string,
    method: string,
    path: string,
    body?: unknown,
  ): Promise<Answer<T>>;
}

let connectRetries = 0;

/** Calls tried again because the connection was never made (load-generator limits, not the stack's answers). */
export const connectRetriesSoFar = (): number => connectRetries;

/** fetch's TypeError whose cause says the connection was not established, so the request was never sent. */
function isConnectFailure(error: unknown): boolean {
  const code = (error as { cause?: { code?: string } })?.cause?.code;
  return code === 'UND_ERR_CONNECT_TIMEOUT' || code === 'ECONNREFUSED' || code === 'ECONNRESET';
}

/** Tokens are signed once per principal: signing is not what is being measured. */
export function benchClient(stack: Pick<LocalStack, 'url' | 'tokenFor'>): BenchClient {
  const tokens = new Map<string, Promise<string>>();
  const tokenOf = (sub: string) => {
    let token = tokens.get(sub);
    if (!token) {
      token = stack.tokenFor(sub);
      tokens.set(sub, token);
    }
    return token;
  };
  return {
    async call(as, method, path, body) {
      // A 503 BUSY (a request's stream kept changing under every optimistic retry) wrote nothing: a client
      // tries again, as the API asks.
      // A connection the stack's single event loop did not accept in time (undici's 10 s connect timeout under a
      // burst of 1,000) never reached it either: also tried again, and counted.
      for (let attempt = 1; ; attempt++) {
        try {
          const answer = await this.once(as, method, path, body);
          if (answer.status !== 503 || attempt >= 5) return answer as never;
        } catch (error) {
          if (attempt >= 5 || !isConnectFailure(error)) throw error;
          connectRetries++;
        }
        await sleep(Math.random() * 100 * 2 ** attempt);
      }
    },
    async once(as, method, path, body) {
      const response = await fetch(`${stack.url}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${await tokenOf(as)}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await response.text();
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {
        // not JSON: keep the text, the caller reports it
      }
      return { status: response.status, body: parsed as never };
    },
  };
}

/** `count` cleared principals of one organisation: `${prefix}-0001`, ... */
export function benchPrincipals(
  prefix: string,
  count: number,
  organisation: string,
  grade = 'engineer',
): Principal[] {
  return Array.from({ length: count }, (_, index): Principal => {
    const id = `${prefix}-${String(index + 1).padStart(4, '0')}`;
    return {
      id,
      name: id,
      email: `${id}@${organisation.toLowerCase()}.example`,
      organisation,
      grade,
      roles: [],
      active: true,
      clearance: { level: 'SC', expiresAt: '2029-12-31T00:00:00.000Z' },
    };
  });
}

/** Writes principals into the directory, a few at a time (DynamoDB Local is one JVM). */
export async function putPrincipals(directory: DynamoDbDirectory, principals: readonly Principal[]) {
  await mapConcurrent(principals, 16, (principal) => directory.putPrincipal(principal));
}

export const errorMessage = (error: unknown) => (error instanceof Error ? error.message : String(error));
