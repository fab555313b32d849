// Policy changes in the pure core: the diff, who may propose and decide, the one decision, expiry, `?at=`.
import { describe, expect, it } from 'vitest';
import { ConflictError, ForbiddenError, ValidationError } from '../../../lambdas/core/errors.ts';
import {
  decidePolicyProposal,
  diffPolicies,
  expirePolicyProposal,
  type PolicyVersion,
  proposalDeciderRefusal,
  proposePolicyChange,
  versionInForceAt,
} from '../../../lambdas/core/policy-change.ts';
import { summarise } from '../../../lambdas/core/timeline.ts';
import { later, NOW, people, policy, principal, thrownBy } from '../../support/fixtures.ts';

const V1: PolicyVersion = { version: 1, policy };
const secondAdmin = principal({ id: 'abe.admin', name: 'Abe Admin', roles: ['access-admin'] });

function propose(changes: unknown = { externalAdminCap: 3 }, current = V1) {
  return proposePolicyChange({
    id: 'pol-1',
    proposer: people.accessAdmin,
    changes,
    reason: 'Fewer external admins after the audit finding',
    current,
    now: NOW,
  });
}

describe('diffPolicies', () => {
  it('lists each changed leaf by its dotted path', () => {
    const after = { ...policy, externalAdminCap: 3, maxDuration: { ...policy.maxDuration, admin: 'P1D' } };
    expect(diffPolicies(policy, after)).toEqual([
      { path: 'externalAdminCap', from: 5, to: 3 },
      { path: 'maxDuration.admin', from: 'P7D', to: 'P1D' },
    ]);
  });

  it('compares arrays whole and reports added map keys', () => {
    const after = { ...policy, approverGrades: ['director'], organisationAdminCaps: { Acme: 1 } };
    expect(diffPolicies(policy, after).map((entry) => entry.path)).toEqual([
      'approverGrades',
      'organisationAdminCaps.Acme',
    ]);
  });
});

describe('proposePolicyChange', () => {
  it('validates the partial policy over the version in force and shows the diff', () => {
    const { proposal, events, from } = propose();
    expect(from).toBeUndefined();
    expect(proposal).toMatchObject({
      status: 'OPEN',
      baseVersion: 1,
      proposer: 'ada.admin',
      diff: [{ path: 'externalAdminCap', from: 5, to: 3 }],
      deadline: later(policy.approvalTimeout),
    });
    expect(proposal.proposed.externalAdminCap).toBe(3);
    expect(events.map((event) => event.action)).toEqual(['POLICY_CHANGE_PROPOSED']);
    expect(events[0]?.details).toMatchObject({ baseVersion: 1, changed: ['externalAdminCap'] });
  });

  it('refuses an invalid or unknown rule naming it, and a change that changes nothing', () => {
    const invalid = thrownBy(() => propose({ externalAdminCap: -1 }));
    expect(invalid).toBeInstanceOf(ValidationError);
    expect((invalid as ValidationError).field).toBe('changes.externalAdminCap');
    expect((invalid as Error).message).toContain('externalAdminCap');
    const unknown = thrownBy(() => propose({ externalAdminKap: 1 })) as ValidationError;
    expect(unknown.message).toContain('externalAdminKap');
    expect(unknown.field).toBe('changes.externalAdminKap');
    expect((thrownBy(() => propose({ review: { grace: 'soon' } })) as ValidationError).field).toBe(
      'changes.review.grace',
    );
    expect((thrownBy(() => propose({ externalAdminCap: 5 })) as Error).message).toContain('as it is');
    expect(thrownBy(() => propose([1]))).toMatchObject({ field: 'changes' });
  });

  it('is for access-admins only, and needs a reason', () => {
    expect(
      thrownBy(() =>
        proposePolicyChange({
          id: 'p',
          proposer: people.homeDirector,
          changes: { externalAdminCap: 3 },
          reason: 'x',
          current: V1,
          now: NOW,
        }),
      ),
    ).toBeInstanceOf(ForbiddenError);
    expect(
      (
        thrownBy(() =>
          proposePolicyChange({
            id: 'p',
            proposer: people.accessAdmin,
            changes: { externalAdminCap: 3 },
            reason: '   ',
            current: V1,
            now: NOW,
          }),
        ) as ValidationError
      ).field,
    ).toBe('reason');
  });
});

describe('decidePolicyProposal', () => {
  const open = propose().proposal;
  const decide = (decider = secondAdmin, decision: 'approve' | 'deny' = 'approve', now = later('PT1H')) =>
    decidePolicyProposal({ proposal: open, decider, decision, comment: 'agreed', current: V1, now });

  it('refuses the proposer, and anyone neither access-admin nor director', () => {
    expect(proposalDeciderRefusal(people.accessAdmin, open, policy, NOW)).toEqual({
      code: 'SELF_APPROVAL',
      message: 'you proposed pol-1: another access-admin or a director must decide it',
    });
    expect(thrownBy(() => decide(people.accessAdmin))).toMatchObject({ code: 'SELF_APPROVAL' });
    expect(thrownBy(() => decide(people.manager))).toMatchObject({ code: 'NOT_ALLOWED' });
    expect(thrownBy(() => decide(people.manager))).toBeInstanceOf(ForbiddenError);
    expect(thrownBy(() => decide(people.auditor))).toBeInstanceOf(ForbiddenError);
  });

  it('an approval by another access-admin or a director makes the next version', () => {
    for (const decider of [secondAdmin, people.homeDirector]) {
      const { proposal, activate, events } = decide(decider);
      expect(proposal).toMatchObject({
        status: 'APPROVED',
        activatedVersion: 2,
        decision: { by: decider.id },
      });
      expect(activate).toMatchObject({ version: 2, proposalId: 'pol-1', approvedBy: decider.id });
      expect(activate?.policy.externalAdminCap).toBe(3);
      expect(events.map((event) => event.action)).toEqual(['POLICY_CHANGE_APPROVED', 'POLICY_ACTIVATED']);
    }
  });

  it('a denial closes it and makes no version', () => {
    const { proposal, activate } = decide(secondAdmin, 'deny');
    expect(proposal.status).toBe('DENIED');
    expect(activate).toBeUndefined();
  });

  it('refuses a second decision, a decision past the deadline, and an approval over a newer version', () => {
    const approved = decide().proposal;
    expect(
      thrownBy(() =>
        decidePolicyProposal({
          proposal: approved,
          decider: people.homeDirector,
          decision: 'approve',
          current: V1,
          now: NOW,
        }),
      ),
    ).toBeInstanceOf(ConflictError);
    expect((thrownBy(() => decide(secondAdmin, 'approve', later('PT73H'))) as ConflictError).code).toBe(
      'PROPOSAL_EXPIRED',
    );
    const v2: PolicyVersion = { version: 2, policy, activatedAt: NOW };
    const stale = thrownBy(() =>
      decidePolicyProposal({
        proposal: open,
        decider: secondAdmin,
        decision: 'approve',
        current: v2,
        now: NOW,
      }),
    );
    expect((stale as ConflictError).code).toBe('PROPOSAL_STALE');
  });
});

describe('expiry and versions in force', () => {
  it('an open proposal expires at its deadline, not before', () => {
    const open = propose().proposal;
    expect(expirePolicyProposal(open, later('PT71H'))).toBeUndefined();
    const expired = expirePolicyProposal(open, later('PT72H'));
    expect(expired?.proposal.status).toBe('EXPIRED');
    expect(expired?.events[0]).toMatchObject({ action: 'POLICY_CHANGE_EXPIRED', actor: { id: 'sweep' } });
  });

  it('answers the version in force at an instant, version 1 before any change', () => {
    const versions: PolicyVersion[] = [
      { version: 2, policy, activatedAt: later('PT1H') },
      V1,
      { version: 3, policy, activatedAt: later('PT2H') },
    ];
    expect(versionInForceAt(versions, NOW)?.version).toBe(1);
    expect(versionInForceAt(versions, later('PT1H'))?.version).toBe(2);
    expect(versionInForceAt(versions, later('PT90M'))?.version).toBe(2);
    expect(versionInForceAt(versions, later('P1D'))?.version).toBe(3);
  });
});

describe('policy events in words', () => {
  it('says what was proposed, approved and which version came into force', () => {
    const proposed = propose();
    const approved = decidePolicyProposal({
      proposal: proposed.proposal,
      decider: secondAdmin,
      decision: 'approve',
      current: V1,
      now: NOW,
    });
    const words = [...proposed.events, ...approved.events].map((draft, index) =>
      summarise({ ...draft, stream: 'POLICY', seq: index + 1, prevHash: '', hash: '' }, (id) => `<${id}>`),
    );
    expect(words).toEqual([
      '<ada.admin> proposed changing the policy (externalAdminCap): "Fewer external admins after the audit finding".',
      '<abe.admin> approved the policy change.',
      'Policy version 2 came into force (externalAdminCap).',
    ]);
    const expired = expirePolicyProposal(proposed.proposal, later('PT72H'));
    const event = expired?.events[0];
    expect(
      event && summarise({ ...event, stream: 'POLICY', seq: 4, prevHash: '', hash: '' }, (id) => id),
    ).toBe('The policy change expired because nobody decided it in time.');
  });
});
