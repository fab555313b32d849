// The webhook signature (docs/webhook-provider.md): HMAC-SHA256 over "v1:{timestamp}:{raw body}", sent as
// `X-Keyholder-Signature: v1=<hex>` beside `X-Keyholder-Timestamp`; shared by the provider and the dev platform.
import { createHmac, timingSafeEqual } from 'node:crypto';

export const TIMESTAMP_HEADER = 'X-Keyholder-Timestamp';
export const SIGNATURE_HEADER = 'X-Keyholder-Signature';
export const IDEMPOTENCY_HEADER = 'Idempotency-Key';
/** A signed request older (or newer) than this is refused, so a captured request cannot be replayed later. */
export const REPLAY_WINDOW_SECONDS = 300;

export function webhookSignature(secret: string, timestamp: number, rawBody: string): string {
  return `v1=${createHmac('sha256', secret).update(`v1:${timestamp}:${rawBody}`).digest('hex')}`;
}

export type SignatureVerdict = 'valid' | 'missing' | 'stale' | 'mismatch';

/** What a platform does with an incoming request: the header pair must be present, fresh and match. */
export function verifyWebhookSignature(input: {
  readonly secret: string;
  readonly timestamp: string | undefined;
  readonly signature: string | undefined;
  readonly rawBody: string;
  readonly nowSeconds: number;
}): SignatureVerdict {
  if (!input.timestamp || !input.signature || !/^\d+$/.test(input.timestamp)) return 'missing';
  const timestamp = Number(input.timestamp);
  if (Math.abs(input.nowSeconds - timestamp) > REPLAY_WINDOW_SECONDS) return 'stale';
  const expected = Buffer.from(webhookSignature(input.secret, timestamp, input.rawBody));
  const received = Buffer.from(input.signature);
  // Length first: timingSafeEqual throws on unequal lengths, and the length of a v1 signature is public anyway.
  return expected.length === received.length && timingSafeEqual(expected, received) ? 'valid' : 'mismatch';
}
