// Slack's request signing scheme (v0): HMAC-SHA256 over `v0:{timestamp}:{raw body}` with the app's signing secret.
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SLACK_SIGNATURE_VERSION = 'v0';
/** Slack's own advice: refuse requests whose timestamp is more than five minutes away from now (replays). */
export const SLACK_MAX_SKEW_SECONDS = 5 * 60;

export type SignatureRefusal =
  | 'MISSING_HEADERS'
  | 'MALFORMED_TIMESTAMP'
  | 'STALE_TIMESTAMP'
  | 'BAD_SIGNATURE';

export type SignatureVerdict =
  | { readonly ok: true }
  | { readonly ok: false; readonly reason: SignatureRefusal };

/** `v0=<hex>` for this body at this timestamp (seconds since the epoch, as Slack sends it). */
export function slackSignature(signingSecret: string, timestamp: string, rawBody: string): string {
  const digest = createHmac('sha256', signingSecret)
    .update(`${SLACK_SIGNATURE_VERSION}:${timestamp}:${rawBody}`)
    .digest('hex');
  return `${SLACK_SIGNATURE_VERSION}=${digest}`;
}

export function verifySlackSignature(args: {
  readonly signingSecret: string;
  readonly timestamp: string | undefined;
  readonly signature: string | undefined;
  readonly rawBody: string;
  readonly nowSeconds: number;
}): SignatureVerdict {
  const { timestamp, signature } = args;
  if (!timestamp || !signature || !args.signingSecret) return { ok: false, reason: 'MISSING_HEADERS' };
  if (!/^\d{1,12}$/.test(timestamp)) return { ok: false, reason: 'MALFORMED_TIMESTAMP' };
  // Future timestamps are as suspicious as old ones: both sides of now are bounded.
  if (Math.abs(args.nowSeconds - Number(timestamp)) > SLACK_MAX_SKEW_SECONDS) {
    return { ok: false, reason: 'STALE_TIMESTAMP' };
  }
  const expected = Buffer.from(slackSignature(args.signingSecret, timestamp, args.rawBody), 'utf8');
  const given = Buffer.from(signature, 'utf8');
  // timingSafeEqual needs equal lengths; comparing against itself keeps the work the same on a length mismatch.
  const sameLength = given.length === expected.length;
  const equal = timingSafeEqual(sameLength ? given : expected, expected) && sameLength;
  return equal ? { ok: true } : { ok: false, reason: 'BAD_SIGNATURE' };
}
