// The dev platform's own rules, which the webhook provider relies on: authentication, idempotency, routes.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { webhookSignature } from '../../../lambdas/adapters/providers/webhook-signature.ts';
import { type DevPlatform, startDevPlatform } from '../../../local/dev-platform.ts';

const SECRET = 'dev-secret';

describe('dev platform', () => {
  let platform: DevPlatform;

  function send(
    body: object,
    options: { key?: string; secret?: string; method?: string; url?: string } = {},
  ) {
    const raw = options.method === 'GET' ? '' : JSON.stringify(body);
    const timestamp = Math.floor(Date.now() / 1000);
    const headers: Record<string, string> = {
      'X-Keyholder-Timestamp': String(timestamp),
      'X-Keyholder-Signature': webhookSignature(options.secret ?? SECRET, timestamp, raw),
    };
    if (options.key) headers['Idempotency-Key'] = options.key;
    return fetch(options.url ?? platform.url, {
      method: options.method ?? 'POST',
      headers,
      body: options.method === 'GET' ? undefined : raw,
    });
  }

  const change = (action: string, principalId: string, key: string) => ({
    action,
    principal: { id: principalId, email: `${principalId}@x`, organisation: 'NHSE' },
    scope: 'admin',
    idempotencyKey: key,
    requestedAt: new Date().toISOString(),
  });

  beforeEach(async () => {
    platform = await startDevPlatform({ secret: SECRET });
  });
  afterEach(async () => {
    await platform.stop();
  });

  it('replays the first answer for a repeated key and applies the change once', async () => {
    // Prepare
    await send(change('grant', 'p-1', 'k-1'), { key: 'k-1' });
    await send(change('revoke', 'p-1', 'k-2'), { key: 'k-2' });
    // Act
    const replay = await send(change('grant', 'p-1', 'k-1'), { key: 'k-1' });
    // Assess
    expect(replay.status).toBe(200);
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(await replay.json()).toEqual({ reference: 'asg-1', alreadyInPlace: false });
    expect(platform.assignments()).toEqual([]);
  });

  it('refuses a key reused for a different change (422) and a header that does not match the body (400)', async () => {
    // Prepare
    await send(change('grant', 'p-1', 'k-1'), { key: 'k-1' });
    // Act
    const reused = await send(change('grant', 'p-2', 'k-1'), { key: 'k-1' });
    const mismatched = await send(change('grant', 'p-2', 'k-2'), { key: 'k-3' });
    const missing = await send(change('grant', 'p-2', 'k-2'));
    // Assess
    expect([reused.status, mismatched.status, missing.status]).toEqual([422, 400, 400]);
    expect(platform.assignments()).toEqual([{ principalId: 'p-1', scope: 'admin' }]);
  });

  it('refuses unsigned and wrongly signed requests with 401', async () => {
    // Act
    const unsigned = await fetch(platform.url, { method: 'GET' });
    const wrong = await send({}, { method: 'GET', secret: 'other' });
    // Assess
    expect([unsigned.status, wrong.status]).toEqual([401, 401]);
    expect(platform.requests().map((r) => r.verdict)).toEqual(['missing', 'mismatch']);
  });

  it('fails only the endpoint it was told to, in order', async () => {
    // Prepare
    platform.failNext(1, 'throttle', 'list');
    // Act
    const grant = await send(change('grant', 'p-1', 'k-1'), { key: 'k-1' });
    const list = await send({}, { method: 'GET' });
    const listAgain = await send({}, { method: 'GET' });
    // Assess
    expect([grant.status, list.status, listAgain.status]).toEqual([200, 429, 200]);
    expect(list.headers.get('retry-after')).toBe('1');
    expect(await listAgain.json()).toEqual({ assignments: [{ principalId: 'p-1', scope: 'admin' }] });
  });

  it('changes access behind Keyholder: out-of-band access and dropped access', async () => {
    // Act
    platform.addOutOfBand('p-9', 'dataset:x');
    platform.addOutOfBand('p-8', 'admin');
    platform.drop('p-8', 'admin');
    // Assess
    expect(platform.assignments()).toEqual([{ principalId: 'p-9', scope: 'dataset:x' }]);
  });

  it('answers 404 off its route', async () => {
    // Act
    const response = await send({}, { method: 'GET', url: platform.url.replace('/assignments', '/other') });
    // Assess
    expect(response.status).toBe(404);
  });
});
