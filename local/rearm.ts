// After a restart on persisted data: what the lost in-memory executions were carrying is picked up from DynamoDB.
// Pending approvals get their workflow back, approved-but-not-granted requests are granted, and grants whose Wait
// died with the old process end on time.
import type { StoredRequest } from '../lambdas/core/ports.ts';
import type { Dependencies } from '../lambdas/use-cases/context.ts';
import { grantApprovedAccess, recordApprovalTimeout } from '../lambdas/use-cases/workflow-steps.ts';

export interface Rearmed {
  /** Pending requests whose workflow was started again (same execution name; approvers are not mailed twice). */
  readonly pending: string[];
  /**
   * Approved before the restart but never granted: a new execution finds them APPROVED and goes on to Grant; one
   * caught PROVISIONING is resumed directly (its expiry is then carried like any ACTIVE grant's).
   */
  readonly approved: string[];
  /** Pending requests whose approval window closed while the stack was down: timed out now. */
  readonly timedOut: string[];
  /** ACTIVE grants whose Wait was lost: the sweep ends each of them at its expiry. */
  readonly active: string[];
  stop(): Promise<void>;
}

/** Node timers overflow past 2^31-1 ms; a later instant is reached in steps. */
const MAX_TIMER_MS = 2 ** 31 - 1;
/** The sweep reads grants expiring at or before its own instant: fire just after the expiry, not at it. */
const AFTER_EXPIRY_MS = 250;

export async function rearmAfterRestart(
  deps: Dependencies,
  options: { readonly sweepNow: () => Promise<unknown> },
): Promise<Rearmed> {
  const timers = new Set<NodeJS.Timeout>();
  const running = new Set<Promise<unknown>>();
  let stopped = false;
  const at = (instant: number, action: () => Promise<unknown>) => {
    const timer = setTimeout(
      () => {
        timers.delete(timer);
        if (stopped) return;
        if (Date.now() < instant) return void at(instant, action);
        const run = action()
          .catch((error: unknown) => console.error('[local re-arm]', error))
          .finally(() => running.delete(run));
        running.add(run);
      },
      Math.min(Math.max(0, instant - Date.now()), MAX_TIMER_MS),
    );
    timer.unref();
    timers.add(timer);
  };

  const rearmed = { pending: [] as string[], approved: [] as string[], timedOut: [] as string[] };
  const now = Date.parse(deps.clock.now());
  for (const request of await deps.store.listPendingRequests()) {
    if (Date.parse(request.approvalDeadline) <= now) {
      await recordApprovalTimeout(deps, request.id);
      rearmed.timedOut.push(request.id);
      continue;
    }
    await deps.workflow.start(request.id);
    // A new execution's AwaitApproval times out a full approvalTimeout after ITS start; the request's own
    // deadline (decisions are refused after it) comes first.
    at(Date.parse(request.approvalDeadline), () => timeOutIfStillPending(deps, request.id));
    rearmed.pending.push(request.id);
  }
  // APPROVED requests are in no index (the grant follows within a second); a requester's requests are. Locally the
  // directory is small, so this is a Query per principal, never a Scan.
  for (const request of await requestsOfEveryone(deps)) {
    if (request.status === 'PROVISIONING') {
      // The platform was being asked when the process died: the grant step resumes with the same idempotency key.
      await grantApprovedAccess(deps, request.id);
      rearmed.approved.push(request.id);
      continue;
    }
    if (request.status !== 'APPROVED') continue;
    await deps.workflow.start(request.id);
    rearmed.approved.push(request.id);
  }

  const carried = new Set((await deps.store.listActiveGrants()).map((grant) => grant.requestId));
  const active = [...carried];
  const armNextExpiry = async (): Promise<void> => {
    let next: number | undefined;
    for (const requestId of carried) {
      const request = await deps.store.getRequest(requestId);
      if (request?.status !== 'ACTIVE' || !request.grant) {
        carried.delete(requestId);
        continue;
      }
      // An approved extension moves expiresAt: the fresh value is read every time.
      const expiresAt = Date.parse(request.grant.expiresAt);
      next = next === undefined ? expiresAt : Math.min(next, expiresAt);
    }
    if (next === undefined || stopped) return;
    at(next + AFTER_EXPIRY_MS, async () => {
      await options.sweepNow();
      await armNextExpiry();
    });
  };
  await armNextExpiry();

  return {
    ...rearmed,
    active,
    stop: async () => {
      stopped = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      await Promise.all(running);
    },
  };
}

async function timeOutIfStillPending(deps: Dependencies, requestId: string): Promise<void> {
  const result = await recordApprovalTimeout(deps, requestId);
  if (result.status === 'TIMED_OUT') await deps.workflow.stop(requestId, 'approval window closed');
}

async function requestsOfEveryone(deps: Dependencies): Promise<StoredRequest[]> {
  const principals = await deps.directory.listPrincipals();
  const lists = await Promise.all(
    principals.map((principal) => deps.store.listRequestsByRequester(principal.id)),
  );
  return lists.flat();
}
