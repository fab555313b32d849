// The console's API client (web/src/api.ts) on the answers a person must be told what to do about: a 503 BUSY is
// retried (after the API's Retry-After), a 409 says someone changed it and that the view was refreshed, a field
// error keeps its field, and a refusal is not retried.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiError, createApi, retryDelay, shouldRetry, unwrap } from '../../../web/src/api.ts';

function answering(status: number, body: unknown, headers: Record<string, string> = {}) {
  const fetch = vi.fn(
    async (_request: Request) =>
      new Response(JSON.stringify(body), {
        status,
        headers: { 'content-type': 'application/json', ...headers },
      }),
  );
  vi.stubGlobal('fetch', fetch);
  return fetch;
}

async function failureOf(pending: Promise<unknown>): Promise<ApiError> {
  const error = await pending.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(ApiError);
  return error as ApiError;
}

const decide = () =>
  createApi('http://api.test/', () => 'token-1').POST('/requests/{id}/decisions', {
    params: { path: { id: 'req-1' } },
    body: { decision: 'approve' },
  });

describe('the console API client: errors a person can act on', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it('retries a 503 BUSY after the Retry-After the API sent, at most three times, and says nothing changed', async () => {
    // Prepare
    const fetch = answering(
      503,
      { error: { code: 'BUSY', message: 'Keyholder is busy' } },
      { 'retry-after': '2' },
    );
    // Act
    const error = await failureOf(unwrap(decide()));
    // Assess
    const sent = fetch.mock.calls[0]?.[0] as Request;
    expect(sent.url).toBe('http://api.test/requests/req-1/decisions');
    expect(sent.headers.get('authorization')).toBe('Bearer token-1');
    expect(error).toMatchObject({ status: 503, code: 'BUSY', retryAfterSeconds: 2 });
    expect(error.advice).toBe('Keyholder is busy. Nothing was changed; try again in a moment.');
    expect([0, 1, 2, 3].map((failures) => shouldRetry(failures, error))).toEqual([true, true, true, false]);
    expect(retryDelay(1, error)).toBe(2000);
  });

  it('says what a 409 means (someone changed it, the view is refreshed) and does not retry it', async () => {
    answering(409, { error: { code: 'CONFLICT', message: 'The request was already approved by dir-ben' } });
    const error = await failureOf(unwrap(decide()));
    expect(error).toMatchObject({ status: 409, code: 'CONFLICT' });
    expect(error.advice).toBe(
      'The request was already approved by dir-ben. Someone changed it meanwhile: what you see has been refreshed.',
    );
    expect(shouldRetry(0, error)).toBe(false);
  });

  it("keeps a field error's field and message, and retries neither it nor a refusal", async () => {
    answering(400, {
      error: { code: 'VALIDATION_FAILED', message: 'must be at least 20 characters', field: 'justification' },
    });
    const invalid = await failureOf(unwrap(decide()));
    expect(invalid).toMatchObject({ status: 400, field: 'justification' });
    expect(invalid.advice).toBe('must be at least 20 characters');
    answering(403, {
      error: { code: 'SELF_APPROVAL', message: 'A requester cannot approve their own request' },
    });
    const refused = await failureOf(unwrap(decide()));
    expect(refused.advice).toBe('A requester cannot approve their own request.');
    expect([shouldRetry(0, invalid), shouldRetry(0, refused)]).toEqual([false, false]);
  });

  it('retries when the API cannot be reached, with a growing delay', async () => {
    vi.stubGlobal(
      'fetch',
      vi.fn(async () => {
        throw new TypeError('fetch failed');
      }),
    );
    const error = await failureOf(unwrap(decide()));
    expect(error).toMatchObject({ status: 0, code: 'NETWORK' });
    expect(error.advice).toMatch(/could not be reached/);
    expect(shouldRetry(0, error)).toBe(true);
    expect([0, 1, 2, 5].map((attempt) => retryDelay(attempt, error))).toEqual([500, 1000, 2000, 4000]);
  });
});
