// Use cases: read the policy (now, at an instant, every version), propose a change, decide it, expire stale ones.
// Every change is load-decide-commit on the POLICY partition, retried when another writer moved its head.
import { type AuditEvent, type ChainHead, chainEvent } from '../core/audit.ts';
import { ForbiddenError, NotFoundError, ValidationError } from '../core/errors.ts';
import type { Principal } from '../core/model.ts';
import {
  decidePolicyProposal,
  expirePolicyProposal,
  isPolicyDecider,
  POLICY_AUDIT_STREAM,
  type PolicyProposal,
  type PolicyTransition,
  type PolicyVersion,
  proposePolicyChange,
  versionInForceAt,
} from '../core/policy-change.ts';
import type { Clock, IdGenerator, PolicyStore } from '../core/ports.ts';
import { type Dependencies, withOptimisticRetry } from './context.ts';
import type { PolicySource } from './policy-source.ts';

export interface PolicyDependencies {
  readonly policyStore: PolicyStore;
  readonly policySource: PolicySource;
  readonly clock: Clock;
  readonly ids: IdGenerator;
}

function chained(head: ChainHead, transition: PolicyTransition): AuditEvent[] {
  const events: AuditEvent[] = [];
  let at = head;
  for (const draft of transition.events) {
    const event = chainEvent(POLICY_AUDIT_STREAM, at, draft);
    events.push(event);
    at = { seq: event.seq, hash: event.hash };
  }
  return events;
}

async function commitPolicy(deps: PolicyDependencies, head: ChainHead, transition: PolicyTransition) {
  await deps.policyStore.commit(
    {
      proposal: transition.proposal,
      from: transition.from,
      events: chained(head, transition),
      expectedHead: head,
      activate: transition.activate,
    },
    deps.policySource.bootstrap,
  );
  if (transition.activate) deps.policySource.invalidate();
  return transition.proposal;
}

/** The rules in force now, or at `at` (ISO instant): readable by every signed-in principal. */
export async function policyInForce(deps: PolicyDependencies, at?: string): Promise<PolicyVersion> {
  if (at === undefined) return (await deps.policyStore.state(deps.policySource.bootstrap)).current;
  if (Number.isNaN(Date.parse(at))) throw new ValidationError('at', 'at must be an ISO-8601 instant');
  const instant = new Date(at).toISOString();
  const versions = await deps.policyStore.versions(deps.policySource.bootstrap);
  const found = versionInForceAt(versions, instant);
  if (!found) throw new NotFoundError('policy version at', instant);
  return found;
}

export function policyVersions(deps: PolicyDependencies): Promise<PolicyVersion[]> {
  return deps.policyStore.versions(deps.policySource.bootstrap);
}

/** Every proposal, newest first: for those who decide them (access-admins and directors). */
export async function listPolicyProposals(
  deps: PolicyDependencies,
  reader: Principal,
): Promise<PolicyProposal[]> {
  const { policy } = await deps.policySource.current();
  if (!isPolicyDecider(reader, policy, deps.clock.now())) {
    throw new ForbiddenError('NOT_ALLOWED', 'only access-admins and directors see policy proposals');
  }
  const proposals = await deps.policyStore.listProposals();
  return proposals.sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.id.localeCompare(a.id));
}

export interface ProposalInput {
  readonly changes: unknown;
  readonly reason: string;
}

export async function proposeChange(
  deps: PolicyDependencies,
  proposer: Principal,
  input: ProposalInput,
): Promise<PolicyProposal> {
  const id = deps.ids.requestId().replace(/^req-/, 'pol-');
  return await withOptimisticRetry(async () => {
    const state = await deps.policyStore.state(deps.policySource.bootstrap);
    const transition = proposePolicyChange({
      id,
      proposer,
      changes: input.changes,
      reason: input.reason,
      current: state.current,
      now: deps.clock.now(),
    });
    return await commitPolicy(deps, state.audit, transition);
  });
}

export interface ProposalDecisionInput {
  readonly proposalId: string;
  readonly decision: 'approve' | 'deny';
  readonly comment?: string | undefined;
}

/** Exactly one decision per proposal: a concurrent second one reloads, finds it closed, and is refused (409). */
export async function decideChange(
  deps: PolicyDependencies,
  decider: Principal,
  input: ProposalDecisionInput,
): Promise<PolicyProposal> {
  return await withOptimisticRetry(async () => {
    const [state, proposal] = await Promise.all([
      deps.policyStore.state(deps.policySource.bootstrap),
      deps.policyStore.getProposal(input.proposalId),
    ]);
    if (!proposal) throw new NotFoundError('policy proposal', input.proposalId);
    const transition = decidePolicyProposal({
      proposal,
      decider,
      decision: input.decision,
      comment: input.comment,
      current: state.current,
      now: deps.clock.now(),
    });
    return await commitPolicy(deps, state.audit, transition);
  });
}

/** The sweep's part: every proposal open past its deadline is expired, each in its own transaction. */
export async function expireStaleProposals(deps: PolicyDependencies): Promise<PolicyProposal[]> {
  const expired: PolicyProposal[] = [];
  for (const open of (await deps.policyStore.listProposals()).filter((p) => p.status === 'OPEN')) {
    const done = await withOptimisticRetry(async () => {
      const [state, proposal] = await Promise.all([
        deps.policyStore.state(deps.policySource.bootstrap),
        deps.policyStore.getProposal(open.id),
      ]);
      const transition = proposal && expirePolicyProposal(proposal, deps.clock.now());
      return transition ? await commitPolicy(deps, state.audit, transition) : undefined;
    });
    if (done) expired.push(done);
  }
  return expired;
}

/** What the policy routes need of the composition root: its policy store and source, which must be wired. */
export function policyDependenciesOf(
  deps: Pick<Dependencies, 'policyStore' | 'policySource' | 'clock' | 'ids'>,
): PolicyDependencies {
  const { policyStore, policySource } = deps;
  if (!policyStore || !policySource) throw new Error('no policy store is configured');
  return { policyStore, policySource, clock: deps.clock, ids: deps.ids };
}

/** The scheduled sweep's call: expires stale proposals where a policy store is wired; the ids it expired. */
export async function expireStaleProposalsOf(deps: Dependencies): Promise<string[]> {
  if (!deps.policyStore || !deps.policySource) return [];
  const expired = await expireStaleProposals(policyDependenciesOf(deps));
  return expired.map((proposal) => proposal.id);
}
