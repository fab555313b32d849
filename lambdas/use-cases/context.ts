// What every use case receives (ports and policy), and the one way a transition is committed.

import { auditStreamOfRequest } from '../adapters/dynamodb/schema.ts';
import type { AccessProviders } from '../core/access-provider.ts';
import { type Actor, chainEvent, EMPTY_CHAIN } from '../core/audit.ts';
import { ConcurrentChangeError, ForbiddenError, NotFoundError } from '../core/errors.ts';
import { type Transition, underPolicyVersion } from '../core/lifecycle.ts';
import type { Dataset, Principal } from '../core/model.ts';
import { type DueNotice, noticesOf, type OutcomeEvent } from '../core/notices.ts';
import type { Policy } from '../core/policy.ts';
import type {
  ChatApprovals,
  Clock,
  Directory,
  DriftLedger,
  IdGenerator,
  Mailer,
  NoticeQueue,
  NotificationLedger,
  Notifier,
  PolicyStore,
  RequestChange,
  RequestStore,
  StoredRequest,
  Workflow,
} from '../core/ports.ts';
import type { PolicySource } from './policy-source.ts';

export interface Dependencies {
  readonly store: RequestStore;
  readonly directory: Directory;
  readonly workflow: Workflow;
  readonly mailer: Mailer;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  readonly policy: Policy;
  /** Base URL of the HTTP API, for links in emails. */
  readonly publicBaseUrl: string;
  /** Channels that tell people about outcomes (email; Slack when configured). Absent: nobody is told. */
  readonly notifiers?: readonly Notifier[] | undefined;
  /** What was already sent about a request (chat prompts to update, once-only notices). */
  readonly notificationLedger?: NotificationLedger | undefined;
  /** Slack approval prompts; absent when Slack is not configured. */
  readonly chatApprovals?: ChatApprovals | undefined;
  /** Inbound mail domain of the reply-to-decide addresses; absent: approval emails carry no Reply-To. */
  readonly replyDomain?: string | undefined;
  /** How grants become real access, per scope (lambdas/core/access-provider.ts). */
  readonly providers?: AccessProviders;
  /** Out-of-band access the sweep found on the platforms (lambdas/use-cases/drift.ts). Absent: none recorded. */
  readonly driftLedger?: DriftLedger | undefined;
  /** Policy versions and proposals (lambdas/use-cases/policy-changes.ts). Absent: the deployed policy only. */
  readonly policyStore?: PolicyStore | undefined;
  /** The cached accessor for the version in force (lambdas/use-cases/policy-source.ts). */
  readonly policySource?: PolicySource | undefined;
  /** Where committed notices go to be sent off the caller's path (SQS). Absent: they stay due (a bare wiring). */
  readonly noticeQueue?: NoticeQueue | undefined;
}

export type ChangeExtras = Omit<RequestChange, 'transition' | 'event' | 'expectedHead' | 'notices'>;

/** Chains the transition's event onto the stored head and commits everything in one atomic write. */
export async function commitTransition(
  deps: Pick<Dependencies, 'store' | 'policySource'>,
  stored: StoredRequest | undefined,
  decided: Transition,
  extras: ChangeExtras = {},
): Promise<StoredRequest> {
  return (await commitWithNotices(deps, stored, decided, undefined, extras)).request;
}

/**
 * As commitTransition, with the notices the transition owes recorded as due in the same transaction
 * (lambdas/core/notices.ts); hand them over after the commit with handOverNotices (use-cases/notice-outbox.ts).
 */
export async function commitWithNotices(
  deps: Pick<Dependencies, 'store' | 'policySource'>,
  stored: StoredRequest | undefined,
  decided: Transition,
  owed: { readonly outcomes: readonly OutcomeEvent[]; readonly actor: Actor } | undefined,
  extras: ChangeExtras = {},
): Promise<{ readonly request: StoredRequest; readonly notices: readonly DueNotice[] }> {
  // Decided under the version the invocation read (policyInForce); version 1 where no policy store is wired.
  const transition = underPolicyVersion(decided, deps.policySource?.latest().version ?? 1);
  const head = stored?.audit ?? EMPTY_CHAIN;
  const event = chainEvent(auditStreamOfRequest(transition.request.id), head, transition.event);
  const notices = owed
    ? noticesOf({ requestId: transition.request.id, seq: event.seq, at: event.at }, owed.outcomes, owed.actor)
    : [];
  const request = await deps.store.commit({
    transition,
    event,
    expectedHead: head,
    ...(notices.length > 0 ? { notices } : {}),
    ...extras,
  });
  return { request, notices };
}

/**
 * Runs load-decide-commit again when another writer changed the request in between (two approvers at once,
 * a retried step). The decision is recomputed from fresh state each time, never replayed.
 */
export async function withOptimisticRetry<T>(attempt: () => Promise<T>, attempts = 10): Promise<T> {
  for (let tried = 1; ; tried++) {
    try {
      return await attempt();
    } catch (error) {
      if (!(error instanceof ConcurrentChangeError) || tried >= attempts) throw error;
      // Full jitter, exponential, capped: a request's stream is busy in bursts (approval prompts and their
      // notices are appended while approvers decide), and spreading the losers out lets each burst drain.
      await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(1_000, 10 * 2 ** tried)));
    }
  }
}

export async function loadRequest(
  deps: Pick<Dependencies, 'store'>,
  requestId: string,
): Promise<StoredRequest> {
  const request = await deps.store.getRequest(requestId);
  if (!request) throw new NotFoundError('request', requestId);
  return request;
}

/**
 * The caller behind a verified token: the token is valid (the authorizer checked it), so a token that names nobody
 * Keyholder knows is a 403 that tells the person what to do, never a 401 (signing in again would not help).
 */
export async function principalOf(
  deps: Pick<Dependencies, 'directory'>,
  principalId: string | undefined,
): Promise<Principal> {
  if (!principalId) {
    throw new ForbiddenError(
      'UNKNOWN_PRINCIPAL',
      'your sign-in token does not carry the claim Keyholder identifies people by: ask an access-admin to check the sign-in set-up',
    );
  }
  const principal = await deps.directory.getPrincipal(principalId);
  if (!principal) {
    throw new ForbiddenError(
      'UNKNOWN_PRINCIPAL',
      `${principalId} is not in Keyholder's directory: ask an access-admin to add you`,
    );
  }
  if (!principal.active) {
    throw new ForbiddenError(
      'PRINCIPAL_INACTIVE',
      `${principalId} is not active in Keyholder's directory: ask an access-admin if this is wrong`,
    );
  }
  return principal;
}

export async function catalogueOf(deps: Pick<Dependencies, 'directory'>): Promise<Map<string, Dataset>> {
  const datasets = await deps.directory.listDatasets();
  return new Map(datasets.map((dataset) => [dataset.id, dataset]));
}
