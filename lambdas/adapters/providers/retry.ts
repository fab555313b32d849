// Retries with exponential backoff and full jitter, shared by the providers that call a platform.

export type Sleep = (ms: number) => Promise<void>;

export const realSleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export interface BackoffOptions {
  /** Delay cap before jitter for the first retry; doubles each retry up to `maxDelayMs`. */
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  /** In [0, 1); injectable so tests can pin the jitter. */
  readonly random?: () => number;
}

/**
 * The wait before retry number `retry` (1 = first retry). Full jitter: callers that failed together spread out
 * instead of hammering the platform again in lock-step.
 */
export function backoffDelay(retry: number, options: BackoffOptions): number {
  const cap = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** (retry - 1));
  const random = options.random ?? Math.random;
  return Math.round(cap / 2 + (random() * cap) / 2);
}
