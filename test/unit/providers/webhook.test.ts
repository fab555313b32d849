// The webhook provider against the dev platform: the documented request and signature, timeouts, Retry-After,
// which answers are retried, and the paginated list.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createWebhookProvider, type WebhookConfig } from '../../../lambdas/adapters/providers/webhook.ts';
import type { ProviderError } from '../../../lambdas/core/access-provider.ts';
import { type DevPlatform, startDevPlatform } from '../../../local/dev-platform.ts';
import { principal, target } from './contract.ts';

const SECRET = 'whsec-test-1';
const ada = principal('p-ada', 'ada@nhse.example');

/** The verification snippet of docs/webhook-provider.md, written out independently of the adapter's code. */
function verifyAsDocumented(secret: string, headers: Record<string, string | undefined>, rawBody: string) {
  const timestamp = headers['x-keyholder-timestamp'];
  const signature = headers['x-keyholder-signature'];
  if (!timestamp || !signature || !/^\d+$/.test(timestamp)) return false;
  if (Math.abs(Math.floor(Date.now() / 1000) - Number(timestamp)) > 300) return false;
  const expected = `v1=${createHmac('sha256', secret).update(`v1:${timestamp}:${rawBody}`).digest('hex')}`;
  const a = Buffer.from(expected);
  const b = Buffer.from(signature);
  return a.length === b.length && timingSafeEqual(a, b);
}

async function providerError(promise: Promise<unknown>): Promise<ProviderError> {
  return promise.then(
    () => {
      throw new Error('expected a ProviderError');
    },
    (error: ProviderError) => {
      expect(error.name).toBe('ProviderError');
      return error;
    },
  );
}

describe('webhook provider', () => {
  let platform: DevPlatform;
  let sleeps: number[];

  function provider(
    config: Partial<WebhookConfig> = {},
    overrides: { secret?: string; now?: () => number } = {},
  ) {
    return createWebhookProvider({
      name: 'platform-admin-api',
      config: { type: 'webhook', url: platform.url, timeout: 'PT5S', maxAttempts: 3, ...config },
      secret: overrides.secret ?? SECRET,
      now: overrides.now,
      sleep: async (ms) => {
        sleeps.push(ms);
      },
      random: () => 0.5,
    });
  }

  beforeEach(async () => {
    platform = await startDevPlatform({ secret: SECRET, pageSize: 2 });
    sleeps = [];
  });
  afterEach(async () => {
    await platform.stop();
  });

  describe('the request', () => {
    it('POSTs the documented JSON body with timestamp, signature and idempotency key', async () => {
      // Act
      const outcome = await provider().grant(target(ada, 'dataset:hes-apc', 'req-1'));
      // Assess
      const [request] = platform.requests();
      expect(request).toMatchObject({ method: 'POST', verdict: 'valid', status: 200 });
      expect(request?.body).toEqual({
        action: 'grant',
        principal: { id: 'p-ada', email: 'ada@nhse.example', organisation: 'NHSE' },
        scope: 'dataset:hes-apc',
        idempotencyKey: 'grant:dataset:hes-apc:req-1',
        requestedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      });
      expect(request?.idempotencyKey).toBe('grant:dataset:hes-apc:req-1');
      expect(Math.abs(Number(request?.timestamp) - Date.now() / 1000)).toBeLessThan(60);
      expect(outcome).toEqual({ reference: 'asg-1', alreadyInPlace: false });
    });

    it('signs so that the documented algorithm verifies it, for POST and for the GET over an empty body', async () => {
      // Act
      await provider().grant(target(ada, 'admin', 'req-1'));
      await provider().list();
      // Assess
      const [post, get] = platform.requests();
      for (const request of [post, get]) {
        const headers = {
          'x-keyholder-timestamp': request?.timestamp,
          'x-keyholder-signature': request?.signature,
        };
        expect(verifyAsDocumented(SECRET, headers, request?.rawBody ?? 'x')).toBe(true);
        expect(verifyAsDocumented('another-secret', headers, request?.rawBody ?? 'x')).toBe(false);
      }
      expect(get?.rawBody).toBe('');
    });

    it('grant and revoke of one request reach the platform under different keys', async () => {
      // Act
      await provider().grant(target(ada, 'admin', 'req-1'));
      const revoked = await provider().revoke(target(ada, 'admin', 'req-1'));
      // Assess
      expect(platform.requests().map((r) => r.idempotencyKey)).toEqual([
        'grant:admin:req-1',
        'revoke:admin:req-1',
      ]);
      expect(revoked.alreadyInPlace).toBe(false);
      expect(platform.assignments()).toEqual([]);
    });

    it('the dev platform refuses a wrong secret (401, not retried)', async () => {
      // Act
      const error = await providerError(
        provider({}, { secret: 'not-the-secret' }).grant(target(ada, 'admin', 'req-1')),
      );
      // Assess
      expect(error.retryable).toBe(false);
      expect(error.message).toContain('401');
      expect(platform.requests().map((r) => r.verdict)).toEqual(['mismatch']);
      expect(platform.assignments()).toEqual([]);
    });

    it('the dev platform refuses a timestamp outside the 5-minute replay window', async () => {
      // Prepare: a sender whose clock is 6 minutes behind
      const stale = provider({}, { now: () => Date.now() - 6 * 60_000 });
      // Act
      const error = await providerError(stale.grant(target(ada, 'admin', 'req-1')));
      // Assess
      expect(error.retryable).toBe(false);
      expect(platform.requests().map((r) => r.verdict)).toEqual(['stale']);
    });

    it('a captured request replayed later is refused even with its valid signature', async () => {
      // Prepare
      await provider().grant(target(ada, 'admin', 'req-1'));
      const [captured] = platform.requests();
      const oldTimestamp = Number(captured?.timestamp) - 301;
      const signature = `v1=${createHmac('sha256', SECRET).update(`v1:${oldTimestamp}:${captured?.rawBody}`).digest('hex')}`;
      // Act
      const response = await fetch(platform.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'X-Keyholder-Timestamp': String(oldTimestamp),
          'X-Keyholder-Signature': signature,
          'Idempotency-Key': captured?.idempotencyKey ?? '',
        },
        body: captured?.rawBody,
      });
      // Assess
      expect(response.status).toBe(401);
      expect(platform.requests()[1]?.verdict).toBe('stale');
    });
  });

  describe('retries', () => {
    it('honours the per-attempt timeout and retries a platform that hangs', async () => {
      // Prepare
      platform.failNext(1, 'hang');
      const started = Date.now();
      // Act
      const outcome = await provider({ timeout: 'PT0.3S' }).grant(target(ada, 'admin', 'req-1'));
      // Assess
      // Waited for the 300 ms timeout, not for the hung answer (which never comes); generous for busy machines
      expect(Date.now() - started).toBeGreaterThanOrEqual(290);
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(outcome.alreadyInPlace).toBe(false);
      expect(platform.requests().map((r) => r.status)).toEqual(['hung', 200]);
      expect(platform.assignments()).toHaveLength(1);
    });

    it('a platform that hangs every time ends in a retryable timeout error', async () => {
      // Prepare
      platform.failNext(2, 'hang');
      // Act
      const error = await providerError(
        provider({ timeout: 'PT0.2S', maxAttempts: 2 }).grant(target(ada, 'admin', 'req-1')),
      );
      // Assess
      expect(error).toMatchObject({ retryable: true });
      expect(error.message).toContain('timed out after 200 ms');
      expect(error.message).toContain('after 2 attempts');
    });

    it('honours Retry-After in seconds and as an HTTP date', async () => {
      // Prepare
      platform.failNext(1, { status: 429, retryAfter: '2' });
      platform.failNext(1, { status: 503, retryAfter: new Date(Date.now() + 20_000).toUTCString() });
      // Act
      await provider().grant(target(ada, 'admin', 'req-1'));
      // Assess
      expect(sleeps[0]).toBe(2_000);
      expect(sleeps[1]).toBeGreaterThan(15_000);
      expect(sleeps[1]).toBeLessThanOrEqual(20_000);
      expect(platform.assignments()).toHaveLength(1);
    });

    it('does not wait for a Retry-After past 30 s: the call ends retryable for the caller to try later', async () => {
      // Prepare
      platform.failNext(1, { status: 429, retryAfter: '120' });
      // Act
      const error = await providerError(provider().grant(target(ada, 'admin', 'req-1')));
      // Assess
      expect(error.retryable).toBe(true);
      expect(sleeps).toEqual([]);
      expect(platform.requests()).toHaveLength(1);
    });

    it('backs off exponentially between attempts, then succeeds', async () => {
      // Prepare
      platform.failNext(3, 'error');
      // Act
      const outcome = await provider({ maxAttempts: 4 }).grant(target(ada, 'admin', 'req-1'));
      // Assess: jitter pinned at the middle of [cap/2, cap] for caps of 250, 500 and 1000 ms
      expect(sleeps).toEqual([188, 375, 750]);
      expect(outcome.alreadyInPlace).toBe(false);
      expect(platform.requests().map((r) => r.status)).toEqual([500, 500, 500, 200]);
    });

    it.each([
      [408, true],
      [409, true],
      [429, true],
      [500, true],
      [502, true],
      [400, false],
      [403, false],
      [404, false],
      [422, false],
    ])('status %i: retryable %s', async (status, retryable) => {
      // Prepare
      platform.failNext(3, { status });
      // Act
      const error = await providerError(provider().grant(target(ada, 'admin', 'req-1')));
      // Assess
      expect(error.retryable).toBe(retryable);
      expect(platform.requests()).toHaveLength(retryable ? 3 : 1);
    });

    it('does not retry a 403', async () => {
      // Prepare
      platform.failNext(1, 'refuse');
      // Act
      const error = await providerError(provider().revoke(target(ada, 'admin', 'req-1')));
      // Assess
      expect(error).toMatchObject({ provider: 'platform-admin-api', retryable: false });
      expect(error.message).toContain('answered 403');
      expect(platform.requests()).toHaveLength(1);
      expect(sleeps).toEqual([]);
    });

    it('retries a platform that cannot be reached, then gives up retryably', async () => {
      // Prepare
      const unreachable = provider();
      await platform.stop();
      // Act
      const error = await providerError(unreachable.grant(target(ada, 'admin', 'req-1')));
      // Assess
      expect(error.retryable).toBe(true);
      expect(sleeps).toHaveLength(2);
    });
  });

  describe('list', () => {
    it('follows the next cursor across pages', async () => {
      // Prepare
      for (const id of ['a', 'b', 'c', 'd', 'e']) platform.addOutOfBand(`p-${id}`, `dataset:${id}`);
      // Act
      const assignments = await provider().list();
      // Assess
      expect(assignments.map((a) => a.principalId)).toEqual(['p-a', 'p-b', 'p-c', 'p-d', 'p-e']);
      expect(platform.requests().map((r) => r.method)).toEqual(['GET', 'GET', 'GET']);
    });

    it('uses listUrl when configured', async () => {
      // Act
      await provider({ url: `${platform.url}/not-here`, listUrl: platform.url }).list();
      // Assess
      expect(platform.requests().map((r) => `${r.method} ${r.status}`)).toEqual(['GET 200']);
    });

    it('an answer of the wrong shape is a non-retryable error', async () => {
      // Prepare
      platform.failNext(1, { status: 200 });
      // Act
      const error = await providerError(provider().list());
      // Assess
      expect(error.retryable).toBe(false);
      expect(error.message).toContain('assignments');
    });
  });
});
