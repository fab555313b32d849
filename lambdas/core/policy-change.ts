// Policy as data, changed by two people: numbered versions, proposals and their one decision, who may propose and
// who may decide, the diff a proposal shows, and which version was in force at an instant. Pure: the store commits
// what these functions return (the proposal, its events on the POLICY stream and, on approval, the next version).
import { type AuditEventDraft, canonicalJson } from './audit.ts';
import { hasRole } from './authorization.ts';
import { addDuration } from './duration.ts';
import { meetsApproverRules } from './eligibility.ts';
import { ConflictError, ForbiddenError, ValidationError } from './errors.ts';
import type { Principal } from './model.ts';
import { isPlainObject, type Policy, PolicyError, resolvePolicyOver } from './policy.ts';

/** The hash-chained audit stream every proposal, decision and activation is appended to. */
export const POLICY_AUDIT_STREAM = 'POLICY';

export interface PolicyVersion {
  readonly version: number;
  readonly policy: Policy;
  /** When it came into force; absent for version 1 (the deployed policy, in force since deployment). */
  readonly activatedAt?: string | undefined;
  /** The proposal that made it, and who proposed and approved it (absent for version 1). */
  readonly proposalId?: string | undefined;
  readonly proposedBy?: string | undefined;
  readonly approvedBy?: string | undefined;
}

export interface PolicyDiffEntry {
  /** Dotted path of the changed rule: `externalAdminCap`, `maxDuration.admin`. */
  readonly path: string;
  readonly from: unknown;
  readonly to: unknown;
}

export type ProposalStatus = 'OPEN' | 'APPROVED' | 'DENIED' | 'EXPIRED';

export interface ProposalDecision {
  readonly by: string;
  readonly decision: 'approve' | 'deny';
  readonly comment?: string | undefined;
  readonly at: string;
}

export interface PolicyProposal {
  readonly id: string;
  readonly proposer: string;
  readonly reason: string;
  /** The partial policy as proposed, merged over the base version. */
  readonly changes: Readonly<Record<string, unknown>>;
  readonly baseVersion: number;
  /** The whole policy that becomes the next version if approved (validated when proposed). */
  readonly proposed: Policy;
  readonly diff: readonly PolicyDiffEntry[];
  readonly createdAt: string;
  /** Open until then (the policy's approvalTimeout); after it, the sweep expires it. */
  readonly deadline: string;
  readonly status: ProposalStatus;
  readonly decision?: ProposalDecision | undefined;
  readonly closedAt?: string | undefined;
  /** The version an approval made. */
  readonly activatedVersion?: number | undefined;
}

/** What one policy change commits: the proposal as it now is, its events in order, and maybe a new version. */
export interface PolicyTransition {
  readonly proposal: PolicyProposal;
  /** The proposal's previous status (undefined: it is new); the store commits only if it is still that. */
  readonly from: ProposalStatus | undefined;
  readonly events: readonly AuditEventDraft[];
  readonly activate?: PolicyVersion | undefined;
}

/** Every rule whose value differs, leaves only (maps and shapes are walked; arrays compare whole). */
export function diffPolicies(before: unknown, after: unknown, prefix = ''): PolicyDiffEntry[] {
  if (isPlainObject(before) && isPlainObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    return keys.flatMap((key) => diffPolicies(before[key], after[key], prefix ? `${prefix}.${key}` : key));
  }
  if (canonicalJson(before) === canonicalJson(after)) return [];
  return [{ path: prefix, from: before, to: after }];
}

/** Who reads and decides proposals: access-admins, and directors who meet the approver rules now. */
export function isPolicyDecider(principal: Principal, policy: Policy, now: string): boolean {
  return hasRole(principal, 'access-admin') || meetsApproverRules(principal, policy, now);
}

/** Why this person may not decide this proposal, or undefined: a different access-admin, or a director. */
export function proposalDeciderRefusal(
  decider: Principal,
  proposal: Pick<PolicyProposal, 'id' | 'proposer'>,
  policy: Policy,
  now: string,
): { readonly code: 'SELF_APPROVAL' | 'NOT_ALLOWED'; readonly message: string } | undefined {
  if (decider.id === proposal.proposer) {
    return {
      code: 'SELF_APPROVAL',
      message: `you proposed ${proposal.id}: another access-admin or a director must decide it`,
    };
  }
  if (!isPolicyDecider(decider, policy, now)) {
    return { code: 'NOT_ALLOWED', message: 'only access-admins and directors decide policy changes' };
  }
  return undefined;
}

function subjectOf(proposal: PolicyProposal) {
  return { requestId: proposal.id, principalId: proposal.proposer, scopes: [] };
}

const changedPaths = (proposal: PolicyProposal) => proposal.diff.map((entry) => entry.path);

export interface ProposeArgs {
  readonly id: string;
  readonly proposer: Principal;
  readonly changes: unknown;
  readonly reason: string;
  readonly current: PolicyVersion;
  readonly now: string;
}

/** An access-admin proposes a partial policy; it is validated over the version in force and must change something. */
export function proposePolicyChange(args: ProposeArgs): PolicyTransition {
  const { id, proposer, changes, current, now } = args;
  if (!hasRole(proposer, 'access-admin')) {
    throw new ForbiddenError('NOT_ALLOWED', 'only access-admins propose policy changes');
  }
  const reason = args.reason.trim();
  if (!reason) throw new ValidationError('reason', 'reason must say why the rules should change');
  if (!isPlainObject(changes)) throw new ValidationError('changes', 'changes must be a JSON object');
  let proposed: Policy;
  try {
    proposed = resolvePolicyOver(current.policy, changes, 'changes');
  } catch (error) {
    if (error instanceof PolicyError) {
      throw new ValidationError(error.path ? `changes.${error.path}` : 'changes', error.message);
    }
    throw error;
  }
  const diff = diffPolicies(current.policy, proposed);
  if (diff.length === 0) throw new ValidationError('changes', 'changes would leave the policy as it is');
  const proposal: PolicyProposal = {
    id,
    proposer: proposer.id,
    reason,
    changes,
    baseVersion: current.version,
    proposed,
    diff,
    createdAt: now,
    deadline: addDuration(now, current.policy.approvalTimeout),
    status: 'OPEN',
  };
  return {
    proposal,
    from: undefined,
    events: [
      {
        action: 'POLICY_CHANGE_PROPOSED',
        actor: { type: 'principal', id: proposer.id },
        at: now,
        subject: subjectOf(proposal),
        outcome: 'success',
        reason,
        details: {
          baseVersion: current.version,
          changed: changedPaths(proposal),
          deadline: proposal.deadline,
        },
      },
    ],
  };
}

export interface DecideProposalArgs {
  readonly proposal: PolicyProposal;
  readonly decider: Principal;
  readonly decision: 'approve' | 'deny';
  readonly comment?: string | undefined;
  readonly current: PolicyVersion;
  readonly now: string;
}

/** One decision closes a proposal; an approval also makes the next version (only over the version it was based on). */
export function decidePolicyProposal(args: DecideProposalArgs): PolicyTransition {
  const { proposal, decider, decision, comment, current, now } = args;
  const refusal = proposalDeciderRefusal(decider, proposal, current.policy, now);
  if (refusal) throw new ForbiddenError(refusal.code, refusal.message);
  if (proposal.status !== 'OPEN') {
    throw new ConflictError(
      'PROPOSAL_CLOSED',
      `proposal ${proposal.id} is already ${proposal.status.toLowerCase()}`,
    );
  }
  if (now >= proposal.deadline) {
    throw new ConflictError(
      'PROPOSAL_EXPIRED',
      `proposal ${proposal.id} was open too long and can no longer be decided`,
    );
  }
  if (decision === 'approve' && proposal.baseVersion !== current.version) {
    throw new ConflictError(
      'PROPOSAL_STALE',
      `proposal ${proposal.id} changes version ${proposal.baseVersion}, but version ${current.version} is in force: propose it again`,
    );
  }
  const record: ProposalDecision = { by: decider.id, decision, comment, at: now };
  const actor = { type: 'principal', id: decider.id } as const;
  if (decision === 'deny') {
    const denied: PolicyProposal = { ...proposal, status: 'DENIED', decision: record, closedAt: now };
    return {
      proposal: denied,
      from: 'OPEN',
      events: [
        {
          action: 'POLICY_CHANGE_DENIED',
          actor,
          at: now,
          subject: subjectOf(denied),
          outcome: 'success',
          reason: comment,
        },
      ],
    };
  }
  const version = current.version + 1;
  const approved: PolicyProposal = {
    ...proposal,
    status: 'APPROVED',
    decision: record,
    closedAt: now,
    activatedVersion: version,
  };
  const activate: PolicyVersion = {
    version,
    policy: proposal.proposed,
    activatedAt: now,
    proposalId: proposal.id,
    proposedBy: proposal.proposer,
    approvedBy: decider.id,
  };
  return {
    proposal: approved,
    from: 'OPEN',
    activate,
    events: [
      {
        action: 'POLICY_CHANGE_APPROVED',
        actor,
        at: now,
        subject: subjectOf(approved),
        outcome: 'success',
        reason: comment,
      },
      {
        action: 'POLICY_ACTIVATED',
        actor,
        at: now,
        subject: subjectOf(approved),
        outcome: 'success',
        details: { version, previousVersion: current.version, changed: changedPaths(approved) },
      },
    ],
  };
}

/** A proposal still open at its deadline expires (the sweep's work); undefined when it is not due. */
export function expirePolicyProposal(proposal: PolicyProposal, now: string): PolicyTransition | undefined {
  if (proposal.status !== 'OPEN' || now < proposal.deadline) return undefined;
  const expired: PolicyProposal = { ...proposal, status: 'EXPIRED', closedAt: now };
  return {
    proposal: expired,
    from: 'OPEN',
    events: [
      {
        action: 'POLICY_CHANGE_EXPIRED',
        actor: { type: 'system', id: 'sweep' },
        at: now,
        subject: subjectOf(expired),
        outcome: 'success',
        reason: 'NOT_DECIDED_IN_TIME',
      },
    ],
  };
}

/** The version in force at `at`: the last one activated at or before it (version 1 before any change). */
export function versionInForceAt(versions: readonly PolicyVersion[], at: string): PolicyVersion | undefined {
  let inForce: PolicyVersion | undefined;
  for (const version of [...versions].sort((a, b) => a.version - b.version)) {
    if (version.activatedAt === undefined || version.activatedAt <= at) inForce = version;
  }
  return inForce;
}
