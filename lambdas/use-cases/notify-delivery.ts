// Delivering notifications: each send retried a few times, never thrown, and every outcome recorded as a
// NOTIFICATION_SENT / NOTIFICATION_FAILED event on the request's audit stream.
import { logger } from '../commons/observability.ts';
import type { Actor } from '../core/audit.ts';
import { ConcurrentChangeError } from '../core/errors.ts';
import { recordOnRequest } from '../core/lifecycle.ts';
import type { NotificationChannel, Notifier, StoredRequest } from '../core/ports.ts';
import { commitTransition, type Dependencies, loadRequest } from './context.ts';

export interface Delivery {
  readonly channel: NotificationChannel;
  readonly recipient: string;
  /** What was sent: `approval-prompt`, `approval-prompt-updated`, `granted`, `reply-refused`, ... */
  readonly kind: string;
  readonly ok: boolean;
  readonly messageId?: string | undefined;
  readonly error?: string | undefined;
  readonly attempts: number;
}

/** Three attempts over about a second: enough for a blip, short enough for Slack's 3-second budget. */
const BACKOFF_MS = [150, 450];

export async function withDeliveryRetry<T>(
  send: () => Promise<T>,
): Promise<{ value?: T; error?: string; attempts: number }> {
  for (let attempt = 1; ; attempt++) {
    try {
      return { value: await send(), attempts: attempt };
    } catch (error) {
      const wait = BACKOFF_MS[attempt - 1];
      if (wait === undefined) return { error: describe(error), attempts: attempt };
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }
}

export async function deliver(
  channel: NotificationChannel,
  recipient: string,
  kind: string,
  send: () => Promise<{ readonly messageId: string } | undefined>,
): Promise<Delivery> {
  const outcome = await withDeliveryRetry(send);
  return outcome.error === undefined
    ? { channel, recipient, kind, ok: true, messageId: outcome.value?.messageId, attempts: outcome.attempts }
    : { channel, recipient, kind, ok: false, error: outcome.error, attempts: outcome.attempts };
}

/** The channels the composition root configured; none means nobody is told (e.g. a bare test double). */
export function notifiersOf(deps: Dependencies): readonly Notifier[] {
  return deps.notifiers ?? [];
}

/**
 * One audit event per delivery, appended one after another (concurrent appends to one stream would only fight
 * over its head), each onto the head the previous one left. A failure to record is logged, never thrown: the
 * lifecycle has already moved on.
 */
export async function recordDeliveries(
  deps: Dependencies,
  requestId: string,
  deliveries: readonly Delivery[],
  actor: Actor,
): Promise<void> {
  if (deliveries.length === 0) return;
  let stored: StoredRequest | undefined;
  for (const delivery of deliveries) {
    for (let attempt = 1; ; attempt++) {
      try {
        stored ??= await loadRequest(deps, requestId);
        stored = await commitTransition(deps, stored, auditOf(deps, stored, delivery, actor));
        break;
      } catch (error) {
        stored = undefined;
        if (!(error instanceof ConcurrentChangeError) || attempt >= MAX_RECORD_ATTEMPTS) {
          logger.error({
            message: 'notification not audited',
            requestId,
            delivery,
            error: describe(error),
          });
          break;
        }
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 20 * attempt));
      }
    }
  }
}

const MAX_RECORD_ATTEMPTS = 10;

function auditOf(deps: Dependencies, stored: StoredRequest, delivery: Delivery, actor: Actor) {
  const details: Record<string, string | number> = {
    channel: delivery.channel,
    recipient: delivery.recipient,
    kind: delivery.kind,
    attempts: delivery.attempts,
    ...(delivery.ok
      ? { messageId: delivery.messageId ?? '' }
      : { error: (delivery.error ?? '').slice(0, 300) }),
  };
  return recordOnRequest(
    stored,
    delivery.ok ? 'NOTIFICATION_SENT' : 'NOTIFICATION_FAILED',
    actor,
    deps.clock.now(),
    details,
    delivery.ok ? 'success' : 'failed',
  );
}

export function describe(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown; data?: { error?: unknown } }).data?.error;
    return code ? `${error.name}: ${String(code)}` : `${error.name}: ${error.message}`;
  }
  return String(error);
}
