// The `webhook` provider: grants and revokes are signed JSON POSTs to the platform's admin API, the platform's
// view of access is a signed GET; timeouts per attempt, retries with backoff. Protocol: docs/webhook-provider.md.

import {
  type AccessAssignment,
  type AccessProvider,
  ProviderError,
  type ProviderOutcome,
  type ProvisioningTarget,
} from '../../core/access-provider.ts';
import { parseDuration } from '../../core/duration.ts';
import type { Scope } from '../../core/model.ts';
import type { ProviderConfig } from '../../core/policy.ts';
import * as z from '../../core/zod.ts';
import { backoffDelay, realSleep, type Sleep } from './retry.ts';
import {
  IDEMPOTENCY_HEADER,
  SIGNATURE_HEADER,
  TIMESTAMP_HEADER,
  webhookSignature,
} from './webhook-signature.ts';

export type WebhookConfig = Extract<ProviderConfig, { type: 'webhook' }>;

export interface WebhookProviderOptions {
  readonly name: string;
  readonly config: WebhookConfig;
  /** The HMAC key shared with the platform (from Secrets Manager, never from the policy). */
  readonly secret: string;
  readonly fetch?: typeof fetch;
  readonly sleep?: Sleep;
  readonly random?: () => number;
  /** Epoch milliseconds; the signature timestamp and `requestedAt` come from it. */
  readonly now?: () => number;
}

export type WebhookAction = 'grant' | 'revoke';

/** The JSON body of a grant or revoke (documented in docs/webhook-provider.md). */
export interface WebhookChange {
  readonly action: WebhookAction;
  readonly principal: { readonly id: string; readonly email: string; readonly organisation: string };
  readonly scope: Scope;
  readonly idempotencyKey: string;
  readonly requestedAt: string;
}

const BACKOFF = { baseDelayMs: 250, maxDelayMs: 5_000 };
/** Longest Retry-After waited for inside one call; a longer one ends the call retryable (the caller retries later). */
export const MAX_RETRY_AFTER_MS = 30_000;
/** A platform that keeps answering `next` is broken; stop rather than loop for the Lambda's whole lifetime. */
const MAX_LIST_PAGES = 1_000;
const DETAIL_LENGTH = 200;

/** Statuses a retry can change: timeout, concurrent use of the idempotency key, too early, throttling. */
const RETRYABLE_STATUSES = new Set([408, 409, 425, 429]);

const outcomeSchema = z.object({
  reference: z.optional(z.string()),
  alreadyInPlace: z.optional(z.boolean()),
});

const listSchema = z.object({
  assignments: z.array(
    z.object({
      principalId: z.string().check(z.minLength(1)),
      scope: z.string().check(z.regex(/^(admin|dataset:.+)$/, 'must be "admin" or "dataset:<id>"')),
    }),
  ),
  next: z.nullish(z.string().check(z.minLength(1))),
});

/**
 * The platform sees one key per change: a request's grant and its revoke share the request id (and a request
 * may hold several scopes), so the action and scope are part of the key the platform deduplicates on.
 */
export function webhookIdempotencyKey(action: WebhookAction, target: ProvisioningTarget): string {
  return `${action}:${target.scope}:${target.idempotencyKey}`;
}

interface AttemptFailure {
  readonly message: string;
  readonly retryable: boolean;
  readonly retryAfterMs?: number | undefined;
}

function retryAfterMs(header: string | null, nowMs: number): number | undefined {
  if (!header) return undefined;
  if (/^\d+$/.test(header.trim())) return Number(header.trim()) * 1000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

function describeFetchError(error: unknown, timeoutMs: number): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError'))
    return `timed out after ${timeoutMs} ms`;
  const cause = error instanceof Error ? (error.cause as { code?: string } | undefined) : undefined;
  const message = error instanceof Error ? error.message : String(error);
  return cause?.code ? `${message} (${cause.code})` : message;
}

export function createWebhookProvider(options: WebhookProviderOptions): AccessProvider {
  const { name, config, secret } = options;
  const fetchImpl = options.fetch ?? globalThis.fetch;
  const sleep = options.sleep ?? realSleep;
  const now = options.now ?? Date.now;
  const timeoutMs = parseDuration(config.timeout, `providers.${name}.timeout`);
  const backoff = { ...BACKOFF, random: options.random };

  async function attempt(method: 'GET' | 'POST', url: string, rawBody: string, idempotencyKey?: string) {
    const timestamp = Math.floor(now() / 1000);
    const headers: Record<string, string> = {
      accept: 'application/json',
      [TIMESTAMP_HEADER]: String(timestamp),
      [SIGNATURE_HEADER]: webhookSignature(secret, timestamp, rawBody),
    };
    if (method === 'POST') headers['content-type'] = 'application/json';
    if (idempotencyKey) headers[IDEMPOTENCY_HEADER] = idempotencyKey;
    // One signal covers the headers and the body: a platform that stalls mid-answer times out too.
    const signal = AbortSignal.timeout(timeoutMs);
    const response = await fetchImpl(url, {
      method,
      headers,
      body: method === 'POST' ? rawBody : undefined,
      signal,
    });
    return { response, text: await response.text() };
  }

  /** Sends with retries; resolves with the body of the first 2xx answer, or throws ProviderError. */
  async function send(method: 'GET' | 'POST', url: string, rawBody: string, idempotencyKey?: string) {
    for (let attemptNumber = 1; ; attemptNumber++) {
      let failure: AttemptFailure;
      try {
        const { response, text } = await attempt(method, url, rawBody, idempotencyKey);
        if (response.ok) return text;
        const detail = text.trim() ? `: ${text.trim().slice(0, DETAIL_LENGTH)}` : '';
        failure = {
          message: `${method} ${url} answered ${response.status}${detail}`,
          retryable: RETRYABLE_STATUSES.has(response.status) || response.status >= 500,
          retryAfterMs: retryAfterMs(response.headers.get('retry-after'), now()),
        };
      } catch (error) {
        failure = { message: `${method} ${url} ${describeFetchError(error, timeoutMs)}`, retryable: true };
      }
      if (!failure.retryable) throw new ProviderError(name, failure.message, false);
      if (attemptNumber >= config.maxAttempts) {
        throw new ProviderError(name, `${failure.message} (gave up after ${attemptNumber} attempts)`, true);
      }
      const delay = failure.retryAfterMs ?? backoffDelay(attemptNumber, backoff);
      if (delay > MAX_RETRY_AFTER_MS) {
        throw new ProviderError(name, `${failure.message} (asked to retry after ${delay / 1000} s)`, true);
      }
      await sleep(delay);
    }
  }

  async function change(action: WebhookAction, target: ProvisioningTarget): Promise<ProviderOutcome> {
    const idempotencyKey = webhookIdempotencyKey(action, target);
    const body: WebhookChange = {
      action,
      principal: {
        id: target.principalId,
        email: target.principal.email,
        organisation: target.principal.organisation,
      },
      scope: target.scope,
      idempotencyKey,
      requestedAt: new Date(now()).toISOString(),
    };
    const text = await send('POST', config.url, JSON.stringify(body), idempotencyKey);
    // Any 2xx means done; the body is optional and only enriches the audit event.
    const parsed = outcomeSchema.safeParse(parseJson(text));
    if (!parsed.success) return {};
    return { reference: parsed.data.reference, alreadyInPlace: parsed.data.alreadyInPlace };
  }

  async function list(): Promise<AccessAssignment[]> {
    const assignments: AccessAssignment[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < MAX_LIST_PAGES; page++) {
      const url = new URL(config.listUrl ?? config.url);
      if (cursor) url.searchParams.set('cursor', cursor);
      const text = await send('GET', url.toString(), '');
      const parsed = listSchema.safeParse(parseJson(text));
      if (!parsed.success) {
        throw new ProviderError(
          name,
          `GET ${url} answered something other than { assignments: [{ principalId, scope }] }: ${parsed.error.issues[0]?.message}`,
          false,
        );
      }
      for (const { principalId, scope } of parsed.data.assignments)
        assignments.push({ principalId, scope: scope as Scope });
      if (!parsed.data.next) return assignments;
      cursor = parsed.data.next;
    }
    throw new ProviderError(
      name,
      `GET ${config.listUrl ?? config.url} kept paginating past ${MAX_LIST_PAGES} pages`,
      true,
    );
  }

  return {
    name,
    type: 'webhook',
    grant: (target) => change('grant', target),
    revoke: (target) => change('revoke', target),
    list,
  };
}

function parseJson(text: string): unknown {
  if (!text.trim()) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
