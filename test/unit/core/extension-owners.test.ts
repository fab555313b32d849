// Unit tests for extension rounds under dataset owners: the round fixes its own owner plan when it opens, per the
// `approvals.dataset` then in force, and only the approvals that plan still needs count, exactly as for a request.
import { describe, expect, it } from 'vitest';
import { missingApprovals, neededDeciders } from '../../../lambdas/core/dataset-owners.ts';
import { ForbiddenError } from '../../../lambdas/core/errors.ts';
import { decideExtension, requestExtension } from '../../../lambdas/core/extension.ts';
import type { AccessRequest, Principal } from '../../../lambdas/core/model.ts';
import type { Policy } from '../../../lambdas/core/policy.ts';
import {
  activeRequest,
  catalogueOf,
  dataset,
  later,
  OWNED,
  people,
  policyWith,
  thrownBy,
} from '../../support/fixtures.ts';

const { olive, oscar, hes, mhsds } = OWNED;
const owned = catalogueOf(hes, mhsds);
const holder = people.externalScA;
const GRANTED_AT = later('PT2H');
const ASKED_AT = later('PT4H', GRANTED_AT);
const DECIDED_AT = later('PT1H', ASKED_AT);
const directory: readonly Principal[] = [holder, olive, oscar, people.homeDirector, people.executiveDirector];

type Mode = 'director' | 'owner' | 'owner-and-director';

/** An ACTIVE grant of `scopes` with an open extension round, asked for under `mode`. */
function extending(scopes: string[], mode: Mode): [AccessRequest, Policy] {
  const rules = policyWith({ approvals: { dataset: mode } });
  const grant = activeRequest(holder, { scopes, duration: 'PT8H' }, GRANTED_AT);
  const asked = requestExtension({
    request: grant,
    holder,
    input: { duration: 'PT8H', justification: 'The data quality investigation needs another working day' },
    catalogue: owned,
    policy: rules,
    now: ASKED_AT,
  }).request;
  return [asked, rules];
}

function decide(request: AccessRequest, approver: Principal, rules: Policy): AccessRequest {
  return decideExtension({
    request,
    approver,
    holder,
    decision: 'approve',
    channel: 'api',
    catalogue: owned,
    policy: rules,
    now: DECIDED_AT,
  }).request;
}

const deciders = (request: AccessRequest, rules: Policy) =>
  neededDeciders(directory, request, rules, DECIDED_AT, request.extension).map((who) => who.id);

describe('an extension round in director mode', () => {
  it('fixes no owner plan, so directors extend exactly as before', () => {
    // Prepare / Act
    const [request, rules] = extending(['dataset:hes-apc'], 'director');

    // Assess
    expect(request.extension?.ownerApproval).toBeUndefined();
    expect(deciders(request, rules)).not.toContain(olive.id);
    expect(thrownBy(() => decide(request, olive, rules))).toMatchObject({ code: 'NOT_ELIGIBLE_APPROVER' });
  });
});

describe('an extension round in owner mode', () => {
  it('fixes the owners of each named dataset when it opens', () => {
    const [request] = extending(['dataset:hes-apc', 'dataset:mhsds'], 'owner');

    expect(request.extension?.ownerApproval).toEqual({
      mode: 'owner',
      datasets: [
        { id: 'hes-apc', owners: [olive.id] },
        { id: 'mhsds', owners: [oscar.id] },
      ],
    });
    expect(missingApprovals(request.extension ?? request)).toEqual({
      datasets: ['hes-apc', 'mhsds'],
      directors: 0,
    });
  });

  it('refuses a director who owns none of the datasets, naming them by title', () => {
    const [request, rules] = extending(['dataset:hes-apc'], 'owner');

    const refused = thrownBy(() => decide(request, people.homeDirector, rules));

    expect(refused).toBeInstanceOf(ForbiddenError);
    expect(refused).toMatchObject({ code: 'NOT_DATASET_OWNER' });
    expect((refused as Error).message).toContain('Hospital Episode Statistics');
  });

  it('prompts only the owners, and the owner extends on their own', () => {
    const [request, rules] = extending(['dataset:hes-apc'], 'owner');

    expect(deciders(request, rules)).toEqual([olive.id]);
    const extended = decide(request, olive, rules);

    expect(extended.extension?.status).toBe('APPROVED');
    expect(extended.grant?.expiresAt).toBe(request.extension?.expiresAt);
    expect(extended.extension?.approvals[0]?.capacity).toEqual({ director: false, datasets: ['hes-apc'] });
  });

  it('needs every named dataset owner: one owner records, the other extends', () => {
    const [request, rules] = extending(['dataset:hes-apc', 'dataset:mhsds'], 'owner');

    const recorded = decide(request, olive, rules);
    expect(recorded.extension?.status).toBe('PENDING');
    expect(recorded.grant?.expiresAt).toBe(request.grant?.expiresAt);
    expect(deciders(recorded, rules)).toEqual([oscar.id]);
    // Her dataset is approved: her second word would count for nothing still missing.
    expect(thrownBy(() => decide(recorded, olive, rules))).toMatchObject({ code: 'NOT_DATASET_OWNER' });

    expect(decide(recorded, oscar, rules).extension?.status).toBe('APPROVED');
  });

  it('never lets the holder approve their own extension, even as an owner', () => {
    const [request, rules] = extending(['dataset:hes-apc'], 'owner');
    const selfOwned = catalogueOf(dataset({ ...hes, owners: [holder.id] }), mhsds);
    const asked = requestExtension({
      request: { ...request, extension: undefined },
      holder,
      input: { duration: 'PT8H', justification: 'The data quality investigation needs another working day' },
      catalogue: selfOwned,
      policy: rules,
      now: ASKED_AT,
    }).request;

    const refused = thrownBy(() =>
      decideExtension({
        request: asked,
        approver: holder,
        holder,
        decision: 'approve',
        channel: 'api',
        catalogue: selfOwned,
        policy: rules,
        now: DECIDED_AT,
      }),
    );

    expect(refused).toMatchObject({ code: 'SELF_APPROVAL' });
  });
});

describe('an extension round in owner-and-director mode', () => {
  it('needs the owner and a director, in either order', () => {
    const [request, rules] = extending(['dataset:hes-apc'], 'owner-and-director');
    const needed = request.extension?.approvalsRequired ?? 0;

    const byOwner = decide(request, olive, rules);
    expect(byOwner.extension?.status).toBe('PENDING');
    expect(deciders(byOwner, rules)).not.toContain(olive.id);

    const directors = [people.homeDirector, people.executiveDirector].slice(0, needed);
    const extended = directors.reduce((current, director) => decide(current, director, rules), byOwner);
    expect(extended.extension?.status).toBe('APPROVED');
  });
});

describe('an admin extension round', () => {
  it('keeps directors deciding alone whatever the dataset mode', () => {
    const [request, rules] = extending(['admin'], 'owner');

    expect(request.extension?.ownerApproval).toBeUndefined();
    expect(deciders(request, rules)).not.toContain(olive.id);
  });
});
