// Use case behind the scheduled sweep (EventBridge Scheduler on AWS, a timer and POST /dev/sweep locally): ends what
// is stale, each with its own reason, sends due review prompts and expiry reminders, and reconciles the external-admin
// seat counters. Reads are index queries bounded by what is due; every action is idempotent and race-safe.

import { SEATS_AUDIT_STREAM } from '../adapters/dynamodb/schema.ts';
import { logger } from '../commons/observability.ts';
import { type Actor, chainEvent } from '../core/audit.ts';
import { holderStanding } from '../core/directory-changes.ts';
import { addDuration } from '../core/duration.ts';
import type { Transition } from '../core/lifecycle.ts';
import type { StoredRequest } from '../core/ports.ts';
import { isRevocationPending, retryRevocation } from '../core/provisioning.ts';
import {
  correctedSeats,
  dueAction,
  dueTransition,
  expireBySweep,
  revokeForStanding,
  SWEEP_ACTOR,
  seatDrift,
  seatsReconciledEvent,
} from '../core/sweep.ts';
import { closeBreakGlassReview } from './break-glass.ts';
import { cancelPendingOfInactiveRequester } from './cancel-request.ts';
import { catalogueOf, commitTransition, type Dependencies, withOptimisticRetry } from './context.ts';
import { sendExpiryReminder } from './expiry-reminder.ts';
import { resendUnsentNotices } from './notice-outbox.ts';
import { type Ending, endAccessOnPlatform } from './provisioning.ts';
import { promptReview } from './review-prompt.ts';
import { grantApprovedAccess } from './workflow-steps.ts';

export interface SweepReport {
  readonly at: string;
  /** Request ids per action taken by this sweep (an action another writer took first is not counted). */
  readonly expired: string[];
  readonly reviewOverdue: string[];
  readonly clearanceLapsed: string[];
  readonly principalInactive: string[];
  readonly reviewsPrompted: string[];
  readonly extensionsTimedOut: string[];
  readonly remindersSent: string[];
  /** APPROVED or PROVISIONING requests whose workflow had given up, carried on by the sweep. */
  readonly grantsResumed: string[];
  /** Revocations the platform had failed earlier, carried out now. */
  readonly revocationsCompleted: string[];
  /** Endings the platform failed again this run: still ACTIVE, retried by the next sweep (and alarmed). */
  readonly removalsPending: string[];
  /** Break-glass grants whose review window closed without enough justified verdicts: holder suspended. */
  readonly breakGlassUnreviewed: string[];
  /** Due notices never marked sent a minute after they were due, handed to the notice queue again. */
  readonly noticesResent: string[];
  /** Drift is recorded minus actual: positive when the counter counted seats nobody holds. */
  seats: { recorded: number; actual: number; drift: number; corrected: boolean };
  /** What was read: index entries due, so a sweep's cost follows the work, never the table. */
  readonly read: { grants: number; requests: number; principals: number };
  readonly failures: Array<{ readonly target: string; readonly error: string }>;
}

/**
 * Ends access the one way every path does (lambdas/use-cases/provisioning.ts: the platform first, then the
 * record), decided from fresh state: nothing is written when another writer already ended it. Once ended, stops
 * the workflow's wait; the holder's notice was committed with the ending (the outbox sends it); a platform failure leaves it ACTIVE and pending (kind `pending`).
 */
export async function endAccess(
  deps: Dependencies,
  requestId: string,
  decide: (stored: StoredRequest, now: string) => Transition | undefined,
  actor: Actor,
): Promise<Ending> {
  const ending = await endAccessOnPlatform(deps, requestId, actor, decide);
  if (ending.kind !== 'ended') return ending;
  const ended = ending.request;
  // Access already ended in the store; stopping the execution spares it a no-op expiry later.
  await deps.workflow.stop(requestId, `${ended.status}: ${ended.reason ?? ''}`).catch((error: unknown) => {
    logger.warn({ message: 'stop execution failed', requestId, error: String(error) });
  });
  return ending;
}

/** What an ending did, in the report: done (the id goes to `done`), or left pending on the platform. */
function tally(report: SweepReport, requestId: string, ending: Ending, done: string[]): void {
  if (ending.kind === 'ended') done.push(requestId);
  else if (ending.kind === 'pending') report.removalsPending.push(requestId);
}

export async function sweep(deps: Dependencies): Promise<SweepReport> {
  const at = deps.clock.now();
  const report: SweepReport = {
    at,
    expired: [],
    reviewOverdue: [],
    clearanceLapsed: [],
    principalInactive: [],
    reviewsPrompted: [],
    extensionsTimedOut: [],
    remindersSent: [],
    grantsResumed: [],
    revocationsCompleted: [],
    removalsPending: [],
    breakGlassUnreviewed: [],
    noticesResent: [],
    seats: { recorded: 0, actual: 0, drift: 0, corrected: false },
    read: { grants: 0, requests: 0, principals: 0 },
    failures: [],
  };
  const attempt = async (target: string, action: () => Promise<void>) => {
    try {
      await action();
    } catch (error) {
      // One stuck item must not stop the rest: it is reported, logged and looked at again next time.
      report.failures.push({ target, error: String(error) });
      logger.error({ message: 'sweep action failed', target, error: String(error) });
    }
  };

  await sweepExpiries(deps, at, report, attempt);
  await sweepDueRequests(deps, at, report, attempt);
  await sweepPrincipals(deps, at, report, attempt);
  await attempt('seats', () => reconcileSeats(deps, report));
  await attempt('notices', async () => {
    for (const ref of await resendUnsentNotices(deps))
      report.noticesResent.push(`${ref.requestId}/${ref.key}`);
  });
  return report;
}

type Attempt = (target: string, action: () => Promise<void>) => Promise<void>;

/** Grant rows by expiry: past it and still ACTIVE -> EXPIRED; within the reminder lead -> a reminder, once. */
async function sweepExpiries(deps: Dependencies, at: string, report: SweepReport, attempt: Attempt) {
  const grants = await deps.store.listGrantsExpiringBy(addDuration(at, deps.policy.expiryReminderLead));
  report.read.grants = grants.length;
  const byRequest = new Map(grants.map((grant) => [grant.requestId, grant]));
  for (const [requestId, grant] of byRequest) {
    await attempt(requestId, async () => {
      if (grant.expiresAt <= at) {
        // A revocation still pending on the platform is what ends it, with its own reason.
        const ending = await endAccess(
          deps,
          requestId,
          (stored, now) =>
            retryRevocation(stored, deps.policy, now) ?? expireBySweep(stored, deps.policy, now),
          SWEEP_ACTOR,
        );
        const done = ending.request?.status === 'REVOKED' ? report.revocationsCompleted : report.expired;
        tally(report, requestId, ending, done);
      } else if ((await sendExpiryReminder(deps, requestId)) === 'sent') {
        report.remindersSent.push(requestId);
      }
    });
  }
}

/** Requests whose review or extension needs attention now (the REQUEST#DUE index). */
async function sweepDueRequests(deps: Dependencies, at: string, report: SweepReport, attempt: Attempt) {
  const due = await deps.store.listRequestsDueBy(at);
  report.read.requests = due.length;
  for (const request of due) {
    await attempt(request.id, async () => {
      // Several things can be due at once (an extension timed out and a review fell due): one after the other.
      for (let step = 0; step < 3; step++) {
        const fresh = await deps.store.getRequest(request.id);
        if (fresh && isRevocationPending(fresh)) {
          const ending = await endAccess(
            deps,
            request.id,
            (stored, now) => retryRevocation(stored, deps.policy, now),
            SWEEP_ACTOR,
          );
          tally(report, request.id, ending, report.revocationsCompleted);
          return;
        }
        const action = fresh && dueAction(fresh, deps.clock.now());
        if (!fresh || !action) return;
        if (action === 'grant-stalled') {
          // The workflow gave up between approval and access: the same idempotent step finishes the grant (or
          // rejects it, or fails it on the platform), and the expiry pass ends it later, as for any grant.
          const resumed = await grantApprovedAccess(deps, request.id);
          if (resumed.status !== fresh.status) report.grantsResumed.push(request.id);
          return;
        }
        if (action === 'break-glass-unreviewed') {
          await closeBreakGlassReview(deps, request.id, SWEEP_ACTOR);
          report.breakGlassUnreviewed.push(request.id);
          continue;
        }
        if (action === 'review-due') {
          if (await promptReview(deps, request.id)) report.reviewsPrompted.push(request.id);
          continue;
        }
        if (action === 'review-overdue') {
          const ending = await endAccess(
            deps,
            request.id,
            (stored, now) =>
              dueAction(stored, now) === 'review-overdue'
                ? dueTransition('review-overdue', stored, deps.policy, now)
                : undefined,
            SWEEP_ACTOR,
          );
          tally(report, request.id, ending, report.reviewOverdue);
          return;
        }
        const timedOut = await withOptimisticRetry(async () => {
          const stored = await deps.store.getRequest(request.id);
          const transition =
            stored && dueTransition('extension-timed-out', stored, deps.policy, deps.clock.now());
          return transition ? await commitTransition(deps, stored, transition) : undefined;
        });
        if (timedOut) report.extensionsTimedOut.push(request.id);
        else return;
      }
    });
  }
}

/**
 * Principals deactivated, or whose clearance lapsed (the PRINCIPAL#DUE index): their ACTIVE grants end now. A
 * change through PATCH /principals already did this; this catches changes made around the API and lapses by time.
 * A deactivated requester's pending requests are cancelled as PATCH /principals does.
 */
async function sweepPrincipals(deps: Dependencies, at: string, report: SweepReport, attempt: Attempt) {
  const due = await deps.directory.listPrincipalsDueBy(at);
  report.read.principals = due.length;
  if (due.length === 0) return;
  const catalogue = await catalogueOf(deps);
  for (const { principal, dueKey } of due) {
    await attempt(principal.id, async () => {
      const revoked = await revokeWhereHolderLapsed(deps, principal.id, catalogue, SWEEP_ACTOR, (id) =>
        report.removalsPending.push(id),
      );
      for (const ended of revoked) {
        (ended.reason === 'PRINCIPAL_INACTIVE' ? report.principalInactive : report.clearanceLapsed).push(
          ended.id,
        );
      }
      // A deactivation made around the API (or a PATCH that died half way): their pending requests end too.
      await cancelPendingOfInactiveRequester(deps, principal.id, SWEEP_ACTOR);
      await deps.directory.settlePrincipal(principal.id, dueKey);
    });
  }
}

/**
 * Ends each ACTIVE grant the holder no longer stands for. The holder is read again, consistently: an index entry
 * may be older than a reactivation that happened a moment ago.
 */
export async function revokeWhereHolderLapsed(
  deps: Dependencies,
  holderId: string,
  catalogue: Awaited<ReturnType<typeof catalogueOf>>,
  actor: Actor,
  /** A revocation the platform failed: recorded as pending on the request, retried by the sweep. */
  onPending?: (requestId: string) => void,
): Promise<StoredRequest[]> {
  const holder = await deps.directory.getPrincipal(holderId);
  const requests = await deps.store.listRequestsByRequester(holderId);
  const revoked: StoredRequest[] = [];
  for (const request of requests.filter((candidate) => candidate.status === 'ACTIVE')) {
    const ending = await endAccess(
      deps,
      request.id,
      (stored, now) => {
        const standing = holderStanding(holder, stored, catalogue, deps.policy, now);
        return standing && revokeForStanding({ request: stored, standing, actor, policy: deps.policy, now });
      },
      actor,
    );
    if (ending.kind === 'ended') revoked.push(ending.request);
    else if (ending.kind === 'pending') onPending?.(request.id);
  }
  return revoked;
}

/** The counters must equal the seats actually held; a drift is corrected, audited and published as a metric. */
async function reconcileSeats(deps: Dependencies, report: SweepReport): Promise<void> {
  const ledger = await deps.store.seatLedger();
  const corrected = correctedSeats(ledger.seats, ledger.holders);
  const actual = corrected ?? ledger.seats;
  const seats = { recorded: ledger.seats.total, actual: actual.total, drift: 0, corrected: false };
  if (corrected) {
    const now = deps.clock.now();
    const event = chainEvent(
      SEATS_AUDIT_STREAM,
      ledger.audit,
      seatsReconciledEvent(ledger.seats, corrected, ledger.holders, now),
    );
    seats.drift = seatDrift(ledger.seats, corrected);
    seats.corrected = await deps.store.correctSeats({
      observed: ledger.seats,
      corrected,
      event,
      expectedHead: ledger.audit,
    });
  }
  report.seats = seats;
}
