// A fake platform admin API for the webhook provider (docs/webhook-provider.md): verifies signatures and
// timestamps, keeps assignments in memory, honours idempotency keys, serves the list, fails on demand, and lets
// tests change access behind Keyholder's back (out-of-band access, missing access) to exercise drift detection.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import {
  IDEMPOTENCY_HEADER,
  SIGNATURE_HEADER,
  type SignatureVerdict,
  TIMESTAMP_HEADER,
  verifyWebhookSignature,
} from '../lambdas/adapters/providers/webhook-signature.ts';
import type { AccessAssignment } from '../lambdas/core/access-provider.ts';
import type { Scope } from '../lambdas/core/model.ts';
import { closeServer, listen, PayloadTooLargeError, readBody, sendJson } from './http-util.ts';

/**
 * How the next requests fail: `error` 500, `throttle` 429 with Retry-After, `hang` never answers (past any
 * client timeout), `refuse` 403; or an exact status (and Retry-After).
 */
export type PlatformFailure =
  | 'error'
  | 'throttle'
  | 'hang'
  | 'refuse'
  | { readonly status: number; readonly retryAfter?: string };

/** Which requests a failure applies to: grants and revokes (`change`), the list, or any. */
export type PlatformEndpoint = 'change' | 'list' | 'any';

export interface PlatformRequest {
  readonly method: string;
  readonly path: string;
  readonly timestamp: string | undefined;
  readonly signature: string | undefined;
  readonly idempotencyKey: string | undefined;
  readonly rawBody: string;
  readonly body: unknown;
  readonly verdict: SignatureVerdict;
  /** The answer's status, or `hung` when the platform never answered. */
  status: number | 'hung' | undefined;
  readonly at: string;
}

export interface DevPlatformOptions {
  readonly secret: string;
  /** Assignments per list page (the list paginates with `next` / `?cursor=`). */
  readonly pageSize?: number;
  /** Epoch milliseconds, for the replay-window check. */
  readonly now?: () => number;
  /** Retry-After (seconds) sent with `throttle` failures. */
  readonly throttleRetryAfter?: string;
}

export interface DevPlatform {
  /** The admin API endpoint: POST grants and revokes, GET the list (use it as the provider's url). */
  readonly url: string;
  assignments(): AccessAssignment[];
  failNext(count: number, how: PlatformFailure, on?: PlatformEndpoint): void;
  /** Access granted on the platform without Keyholder (drift: OUT_OF_BAND). */
  addOutOfBand(principalId: string, scope: Scope): void;
  /** Access removed on the platform without Keyholder (drift: a grant missing on the platform). */
  drop(principalId: string, scope: Scope): void;
  requests(): PlatformRequest[];
  stop(): Promise<void>;
}

const BODY_LIMIT_BYTES = 64 * 1024;
const PATH = '/assignments';

interface StoredAnswer {
  readonly fingerprint: string;
  readonly status: number;
  readonly body: unknown;
}

interface ChangeBody {
  readonly action: 'grant' | 'revoke';
  readonly principal: { readonly id: string };
  readonly scope: Scope;
  readonly idempotencyKey: string;
}

function isChangeBody(value: unknown): value is ChangeBody {
  const body = value as Partial<ChangeBody> | undefined;
  return (
    typeof body === 'object' &&
    body !== null &&
    (body.action === 'grant' || body.action === 'revoke') &&
    typeof body.principal?.id === 'string' &&
    typeof body.scope === 'string' &&
    typeof body.idempotencyKey === 'string'
  );
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

const assignmentKey = (principalId: string, scope: string) => `${principalId}\n${scope}`;

export async function startDevPlatform(options: DevPlatformOptions): Promise<DevPlatform> {
  const now = options.now ?? Date.now;
  const pageSize = options.pageSize ?? 100;
  const held = new Map<string, AccessAssignment>();
  const answers = new Map<string, StoredAnswer>();
  const received: PlatformRequest[] = [];
  const failures: { how: PlatformFailure; on: PlatformEndpoint }[] = [];
  let references = 0;

  function takeFailure(endpoint: 'change' | 'list'): PlatformFailure | undefined {
    const index = failures.findIndex((failure) => failure.on === 'any' || failure.on === endpoint);
    if (index < 0) return undefined;
    return failures.splice(index, 1)[0]?.how;
  }

  function fail(res: ServerResponse, record: PlatformRequest, how: PlatformFailure): void {
    if (how === 'hang') {
      // Never answered: the client's timeout has to end it (or stop() closes the socket).
      record.status = 'hung';
      return;
    }
    const status = how === 'error' ? 500 : how === 'throttle' ? 429 : how === 'refuse' ? 403 : how.status;
    const retryAfter =
      how === 'throttle'
        ? (options.throttleRetryAfter ?? '1')
        : typeof how === 'object'
          ? how.retryAfter
          : undefined;
    record.status = status;
    sendJson(
      res,
      status,
      { error: `failing on demand (${status})` },
      retryAfter ? { 'retry-after': retryAfter } : {},
    );
  }

  function answer(res: ServerResponse, record: PlatformRequest, status: number, body: unknown, extra = {}) {
    record.status = status;
    sendJson(res, status, body, extra);
  }

  function list(res: ServerResponse, record: PlatformRequest, url: URL): void {
    const offset = Number(url.searchParams.get('cursor') ?? '0');
    if (!Number.isInteger(offset) || offset < 0) {
      answer(res, record, 400, { error: 'bad cursor' });
      return;
    }
    const all = [...held.values()];
    const page = all.slice(offset, offset + pageSize);
    const next = offset + pageSize < all.length ? String(offset + pageSize) : undefined;
    answer(res, record, 200, { assignments: page, ...(next ? { next } : {}) });
  }

  function change(res: ServerResponse, record: PlatformRequest): void {
    const body = record.body;
    if (!isChangeBody(body)) {
      answer(res, record, 400, { error: 'body is not a grant or revoke' });
      return;
    }
    if (!record.idempotencyKey || record.idempotencyKey !== body.idempotencyKey) {
      answer(res, record, 400, {
        error: `${IDEMPOTENCY_HEADER} must equal the body's idempotencyKey`,
      });
      return;
    }
    const fingerprint = `${body.action} ${body.principal.id} ${body.scope}`;
    const earlier = answers.get(body.idempotencyKey);
    if (earlier) {
      if (earlier.fingerprint !== fingerprint) {
        answer(res, record, 422, { error: 'idempotency key reused for a different change' });
        return;
      }
      answer(res, record, earlier.status, earlier.body, { 'idempotent-replayed': 'true' });
      return;
    }
    const key = assignmentKey(body.principal.id, body.scope);
    const present = held.has(key);
    if (body.action === 'grant') held.set(key, { principalId: body.principal.id, scope: body.scope });
    else held.delete(key);
    const stored = {
      fingerprint,
      status: 200,
      body: {
        reference: `asg-${++references}`,
        alreadyInPlace: body.action === 'grant' ? present : !present,
      },
    };
    answers.set(body.idempotencyKey, stored);
    answer(res, record, stored.status, stored.body);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://platform.local');
    let rawBody: string;
    try {
      rawBody = (await readBody(req, BODY_LIMIT_BYTES)).toString('utf8');
    } catch (error) {
      if (error instanceof PayloadTooLargeError) {
        sendJson(res, 413, { error: error.message });
        return;
      }
      throw error;
    }
    const timestamp = header(req, TIMESTAMP_HEADER);
    const signature = header(req, SIGNATURE_HEADER);
    const record: PlatformRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      timestamp,
      signature,
      idempotencyKey: header(req, IDEMPOTENCY_HEADER),
      rawBody,
      body: parseJson(rawBody),
      verdict: verifyWebhookSignature({
        secret: options.secret,
        timestamp,
        signature,
        rawBody,
        nowSeconds: Math.floor(now() / 1000),
      }),
      status: undefined,
      at: new Date(now()).toISOString(),
    };
    received.push(record);
    if (url.pathname !== PATH) {
      answer(res, record, 404, { error: `no route ${url.pathname}` });
      return;
    }
    if (record.method !== 'GET' && record.method !== 'POST') {
      answer(res, record, 405, { error: 'GET or POST' });
      return;
    }
    const failure = takeFailure(record.method === 'GET' ? 'list' : 'change');
    if (failure) {
      fail(res, record, failure);
      return;
    }
    if (record.verdict !== 'valid') {
      answer(res, record, 401, { error: `signature ${record.verdict}` });
      return;
    }
    if (record.method === 'GET') list(res, record, url);
    else change(res, record);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { error: String(error) });
    });
  });
  const { url } = await listen(server);

  return {
    url: `${url}${PATH}`,
    assignments: () => [...held.values()],
    failNext(count, how, on = 'any') {
      for (let i = 0; i < count; i++) failures.push({ how, on });
    },
    addOutOfBand(principalId, scope) {
      held.set(assignmentKey(principalId, scope), { principalId, scope });
    },
    drop(principalId, scope) {
      held.delete(assignmentKey(principalId, scope));
    },
    requests: () => [...received],
    stop: () => closeServer(server),
  };
}

function parseJson(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** A fresh shared secret for local runs (the local stack passes the same one to the provider). */
export function devPlatformSecret(): string {
  return `dev-platform-${randomUUID()}`;
}
