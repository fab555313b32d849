// Slack's v0 request signature: valid, wrong secret, stale or future timestamp, tampered body, missing headers.
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  SLACK_MAX_SKEW_SECONDS,
  slackSignature,
  verifySlackSignature,
} from '../../../lambdas/core/slack-signature.ts';

const signingSecret = '8f742231b10e8888abcd99yyyzzz85a5';
const rawBody = 'payload=%7B%22type%22%3A%22block_actions%22%7D';
const now = 1_795_900_000;
const timestamp = String(now);

describe('slackSignature', () => {
  it("is v0= and the hex HMAC-SHA256 of 'v0:{timestamp}:{body}', as Slack documents", () => {
    // Prepare
    const expected = createHmac('sha256', signingSecret).update(`v0:${timestamp}:${rawBody}`).digest('hex');
    // Act / Assess
    expect(slackSignature(signingSecret, timestamp, rawBody)).toBe(`v0=${expected}`);
  });
});

describe('verifySlackSignature', () => {
  const verify = (overrides: Partial<Parameters<typeof verifySlackSignature>[0]>) =>
    verifySlackSignature({
      signingSecret,
      timestamp,
      signature: slackSignature(signingSecret, timestamp, rawBody),
      rawBody,
      nowSeconds: now,
      ...overrides,
    });

  it('accepts a valid signature within the window', () => {
    expect(verify({})).toEqual({ ok: true });
    expect(verify({ nowSeconds: now + SLACK_MAX_SKEW_SECONDS })).toEqual({ ok: true });
  });

  it('refuses a signature made with another secret', () => {
    expect(verify({ signature: slackSignature('another-secret', timestamp, rawBody) })).toEqual({
      ok: false,
      reason: 'BAD_SIGNATURE',
    });
  });

  it('refuses a timestamp more than five minutes old or ahead, even when correctly signed', () => {
    const old = String(now - SLACK_MAX_SKEW_SECONDS - 1);
    const ahead = String(now + SLACK_MAX_SKEW_SECONDS + 1);
    expect(verify({ timestamp: old, signature: slackSignature(signingSecret, old, rawBody) })).toEqual({
      ok: false,
      reason: 'STALE_TIMESTAMP',
    });
    expect(verify({ timestamp: ahead, signature: slackSignature(signingSecret, ahead, rawBody) })).toEqual({
      ok: false,
      reason: 'STALE_TIMESTAMP',
    });
  });

  it('refuses a body changed after signing, and a signature moved to another timestamp', () => {
    expect(verify({ rawBody: rawBody.replace('block_actions', 'view_submission') }).ok).toBe(false);
    expect(verify({ timestamp: String(now - 1) })).toEqual({ ok: false, reason: 'BAD_SIGNATURE' });
  });

  it('refuses missing headers, a missing secret, a malformed timestamp and a truncated signature', () => {
    expect(verify({ timestamp: undefined })).toEqual({ ok: false, reason: 'MISSING_HEADERS' });
    expect(verify({ signature: undefined })).toEqual({ ok: false, reason: 'MISSING_HEADERS' });
    expect(verify({ signingSecret: '' })).toEqual({ ok: false, reason: 'MISSING_HEADERS' });
    expect(verify({ timestamp: '17e8' })).toEqual({ ok: false, reason: 'MALFORMED_TIMESTAMP' });
    expect(verify({ signature: slackSignature(signingSecret, timestamp, rawBody).slice(0, 20) })).toEqual({
      ok: false,
      reason: 'BAD_SIGNATURE',
    });
  });
});
