// What the notice senders beside this module share: a message sent on every channel that reaches its recipient,
// the once-only claims that keep two notices about one request from both sending, and the seat count prompts show.
import type { Principal } from '../../core/model.ts';
import { partOf } from '../../core/notices.ts';
import type { ApprovalPromptView, Notice, StoredRequest } from '../../core/ports.ts';
import type { Dependencies } from '../context.ts';
import { type Delivery, deliver, notifiersOf } from '../notify-delivery.ts';

export interface Message {
  readonly recipient: Principal;
  readonly notice: Notice;
  /** Channels not to use for this recipient (their Slack prompt already says it). */
  readonly skip?: ReadonlySet<string>;
}

/** One delivery per channel that reaches the recipient, but for those `delivered` already holds (a redelivery). */
export function sendToAll(
  deps: Dependencies,
  message: Message,
  delivered: ReadonlySet<string> = new Set(),
): Promise<Delivery>[] {
  return notifiersOf(deps)
    .filter((notifier) => notifier.reaches(message.recipient) && !message.skip?.has(notifier.channel))
    .filter(
      (notifier) =>
        !delivered.has(
          partOf({ channel: notifier.channel, recipient: message.recipient.id, kind: message.notice.kind }),
        ),
    )
    .map((notifier) =>
      deliver(notifier.channel, message.recipient.id, message.notice.kind, () =>
        notifier.send(message.recipient, message.notice),
      ),
    );
}

/** For an external admin request: how many of the capped seats are taken now (prompts show it). */
export async function seatUsage(
  deps: Dependencies,
  request: StoredRequest,
): Promise<ApprovalPromptView['seats']> {
  if (!request.countsAgainstCap) return undefined;
  return { inUse: (await deps.store.externalAdminSeats()).total, cap: deps.policy.externalAdminCap };
}

/**
 * Takes the once-only claim `key` of a request's messages: false when another sender holds it. `owner` (the due
 * notice sending) may take its own claim again, on a redelivery after a crash. Without a ledger, always true.
 */
export async function claimOnce(
  deps: Dependencies,
  requestId: string,
  key: string,
  owner?: string,
): Promise<boolean> {
  if (!deps.notificationLedger) return true;
  return deps.notificationLedger.claim(requestId, key, deps.clock.now(), owner);
}
