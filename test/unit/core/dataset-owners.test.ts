// Unit tests for dataset owners as approvers: the plan fixed at submission, what is still missing, who may decide.
import { describe, expect, it } from 'vitest';
import { deciderRefusal, missingApprovals, neededDeciders } from '../../../lambdas/core/dataset-owners.ts';
import { ForbiddenError } from '../../../lambdas/core/errors.ts';
import { decideRequest, submitRequest } from '../../../lambdas/core/lifecycle.ts';
import type { AccessRequest, Principal } from '../../../lambdas/core/model.ts';
import type { Policy } from '../../../lambdas/core/policy.ts';
import {
  catalogueOf,
  dataset,
  later,
  NOW,
  OWNED,
  people,
  policyWith,
  submission,
  thrownBy,
} from '../../support/fixtures.ts';

const { olive, oscar, hes, mhsds } = OWNED;
const unowned = dataset({ id: 'covid-agg', title: 'COVID-19 counts', sensitivity: 'aggregate' });
const owned = catalogueOf(hes, mhsds, unowned);
const titles = new Map([...owned.values()].map((entry) => [entry.id, entry.title]));
const requester = people.externalScA;
const DECIDED_AT = later('PT1H');

function pending(
  scopes: string[],
  mode: 'director' | 'owner' | 'owner-and-director',
): [AccessRequest, Policy] {
  const rules = policyWith({ approvals: { dataset: mode } });
  const input = submission({ scopes });
  return [
    submitRequest({ id: 'req-o', input, requester, catalogue: owned, policy: rules, now: NOW }).request,
    rules,
  ];
}

function approve(request: AccessRequest, approver: Principal, rules: Policy): AccessRequest {
  return decideRequest({
    request,
    approver,
    decision: 'approve',
    channel: 'api',
    policy: rules,
    now: DECIDED_AT,
  }).request;
}

describe('the owner plan fixed at submission', () => {
  it('is absent in director mode, so directors decide exactly as before', () => {
    // Prepare / Act
    const [request, rules] = pending(['dataset:hes-apc'], 'director');

    // Assess
    expect(request.ownerApproval).toBeUndefined();
    expect(missingApprovals(request)).toEqual({ datasets: [], directors: 1 });
    expect(deciderRefusal(olive, request, rules, DECIDED_AT)?.code).toBe('NOT_ELIGIBLE_APPROVER');
    expect(approve(request, people.homeDirector, rules).status).toBe('APPROVED');
  });

  it('names each dataset with its owners in owner mode', () => {
    const [request] = pending(['dataset:hes-apc', 'dataset:mhsds'], 'owner');

    expect(request.ownerApproval).toEqual({
      mode: 'owner',
      datasets: [
        { id: 'hes-apc', owners: [olive.id] },
        { id: 'mhsds', owners: [oscar.id] },
      ],
    });
    expect(missingApprovals(request)).toEqual({ datasets: ['hes-apc', 'mhsds'], directors: 0 });
  });
});

describe('owner mode', () => {
  it('refuses a director who owns none of the datasets, in words naming them', () => {
    const [request, rules] = pending(['dataset:hes-apc'], 'owner');

    const refusal = thrownBy(() =>
      decideRequest({
        request,
        approver: people.homeDirector,
        decision: 'approve',
        channel: 'api',
        policy: rules,
        now: DECIDED_AT,
        datasetTitles: titles,
      }),
    );

    expect(refusal).toBeInstanceOf(ForbiddenError);
    expect(refusal).toMatchObject({ code: 'NOT_DATASET_OWNER' });
    expect((refusal as Error).message).toContain('Hospital Episode Statistics');
  });

  it('approves once the owner of the one dataset approves, whatever their grade', () => {
    const [request, rules] = pending(['dataset:hes-apc'], 'owner');

    const approved = approve(request, olive, rules);

    expect(approved.status).toBe('APPROVED');
    expect(approved.approvals[0]?.capacity).toEqual({ director: false, datasets: ['hes-apc'] });
  });

  it('stays pending until every named dataset has its owner approval', () => {
    const [request, rules] = pending(['dataset:hes-apc', 'dataset:mhsds'], 'owner');

    const once = approve(request, olive, rules);
    const twice = approve(once, oscar, rules);

    expect(once.status).toBe('PENDING_APPROVAL');
    expect(missingApprovals(once)).toEqual({ datasets: ['mhsds'], directors: 0 });
    expect(deciderRefusal(oscar, once, rules, DECIDED_AT)).toBeUndefined();
    expect(deciderRefusal(olive, once, rules, DECIDED_AT)?.code).toBe('NOT_DATASET_OWNER');
    expect(twice.status).toBe('APPROVED');
  });

  it('needs a director for a dataset without owners', () => {
    const [request, rules] = pending(['dataset:hes-apc', 'dataset:covid-agg'], 'owner');

    const ownerOnly = approve(request, olive, rules);

    expect(ownerOnly.status).toBe('PENDING_APPROVAL');
    expect(missingApprovals(ownerOnly)).toEqual({ datasets: [], directors: 1 });
    expect(approve(ownerOnly, people.homeDirector, rules).status).toBe('APPROVED');
  });

  it('never lets an owner approve their own request', () => {
    const rules = policyWith({ approvals: { dataset: 'owner' } });
    const selfOwned = catalogueOf(dataset({ id: 'hes-apc', owners: [olive.id] }));
    const input = submission({ scopes: ['dataset:hes-apc'] });
    const own = submitRequest({
      id: 'r',
      input,
      requester: olive,
      catalogue: selfOwned,
      policy: rules,
      now: NOW,
    });

    expect(deciderRefusal(olive, own.request, rules, DECIDED_AT)?.code).toBe('SELF_APPROVAL');
  });

  it('does not let an inactive or uncleared owner decide', () => {
    const [request, rules] = pending(['dataset:hes-apc'], 'owner');

    expect(deciderRefusal({ ...olive, active: false }, request, rules, DECIDED_AT)?.code).toBe(
      'NOT_DATASET_OWNER',
    );
    expect(deciderRefusal({ ...olive, clearance: undefined }, request, rules, DECIDED_AT)?.code).toBe(
      'NOT_DATASET_OWNER',
    );
  });

  it('lists as needed deciders only the owners still missing', () => {
    const [request, rules] = pending(['dataset:hes-apc', 'dataset:mhsds'], 'owner');
    const directory = [olive, oscar, people.homeDirector, people.executiveDirector, requester];

    expect(neededDeciders(directory, request, rules, DECIDED_AT).map((who) => who.id)).toEqual([
      olive.id,
      oscar.id,
    ]);
    expect(
      neededDeciders(directory, approve(request, olive, rules), rules, DECIDED_AT).map((who) => who.id),
    ).toEqual([oscar.id]);
  });
});

describe('owner-and-director mode', () => {
  it('needs the owner and a director', () => {
    const [request, rules] = pending(['dataset:hes-apc'], 'owner-and-director');

    const byOwner = approve(request, olive, rules);
    const byDirector = approve(request, people.homeDirector, rules);

    expect(byOwner.status).toBe('PENDING_APPROVAL');
    expect(missingApprovals(byOwner)).toEqual({ datasets: [], directors: 1 });
    expect(byDirector.status).toBe('PENDING_APPROVAL');
    expect(missingApprovals(byDirector)).toEqual({ datasets: ['hes-apc'], directors: 0 });
    expect(approve(byOwner, people.homeDirector, rules).status).toBe('APPROVED');
  });

  it('refuses a second director once the director approval is in', () => {
    const [request, rules] = pending(['dataset:hes-apc'], 'owner-and-director');

    const byDirector = approve(request, people.homeDirector, rules);

    expect(deciderRefusal(people.executiveDirector, byDirector, rules, DECIDED_AT)?.code).toBe(
      'NOT_DATASET_OWNER',
    );
  });

  it('counts a director who owns the dataset as both', () => {
    const rules = policyWith({ approvals: { dataset: 'owner-and-director' } });
    const directorOwned = catalogueOf(dataset({ id: 'hes-apc', owners: [people.homeDirector.id] }));
    const input = submission({ scopes: ['dataset:hes-apc'] });
    const { request } = submitRequest({
      id: 'r',
      input,
      requester,
      catalogue: directorOwned,
      policy: rules,
      now: NOW,
    });

    const approved = approve(request, people.homeDirector, rules);

    expect(approved.approvals[0]?.capacity).toEqual({ director: true, datasets: ['hes-apc'] });
    expect(approved.status).toBe('APPROVED');
  });
});

describe('the policy key', () => {
  it('defaults to director and refuses an unknown mode naming the key', () => {
    expect(policyWith().approvals.dataset).toBe('director');
    expect(() => policyWith({ approvals: { dataset: 'owners' } })).toThrow(/approvals\.dataset/);
  });
});
