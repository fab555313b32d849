// Use case: the scheduled sweep owes a grant's holder a reminder before it expires. The reminder is recorded as a
// due notice and handed to the queue; the notifier sends it (./notices/outcome-notices.ts deliverExpiryReminder).
import type { Actor } from '../core/audit.ts';
import { parseDuration } from '../core/duration.ts';
import { expiryReminderOf } from '../core/notices.ts';
import type { Dependencies } from './context.ts';
import { handOverNotices } from './notice-outbox.ts';

/** `unrecorded`: a wiring with no notification ledger, where no notice can be owed (a bare test wiring). */
export type ReminderResult = 'sent' | 'not-active' | 'not-due' | 'already-sent' | 'unrecorded';

const SWEEP: Actor = { type: 'system', id: 'sweep' };

/**
 * Reminds the holder that their grant expires within the policy's `expiryReminderLead`. Meant for the scheduled
 * sweep, which calls it for grants due a reminder; safe to call again (one reminder per expiry time, so an
 * extension that moves the expiry earns a new one). The reminder is recorded as a due notice, keyed by that
 * expiry, and handed to the queue (`sent`: it is owed and on its way); the notifier sends it.
 */
export async function sendExpiryReminder(deps: Dependencies, requestId: string): Promise<ReminderResult> {
  const request = await deps.store.getRequest(requestId);
  if (request?.status !== 'ACTIVE' || !request.grant) return 'not-active';
  const now = deps.clock.now();
  const remaining = Date.parse(request.grant.expiresAt) - Date.parse(now);
  if (remaining > parseDuration(deps.policy.expiryReminderLead)) return 'not-due';
  if (!deps.notificationLedger) return 'unrecorded';
  const notice = expiryReminderOf({ requestId, expiresAt: request.grant.expiresAt }, SWEEP, now);
  if (!(await deps.notificationLedger.recordDueNotice(notice))) return 'already-sent';
  await handOverNotices(deps, [notice]);
  return 'sent';
}
