// Unit tests for a dataset owned by a group (`group:<display name>`): one rule says whether a principal is the owner
// a reference names, checked against the principal's groups when they decide; PATCH validation; owners in words.
import { describe, expect, it } from 'vitest';
import { planDatasetChange } from '../../../lambdas/core/dataset-changes.ts';
import {
  approvalCapacity,
  deciderRefusal,
  matchesOwner,
  neededDeciders,
  ownerGroupOf,
  ownsAnyDataset,
  ownsNamedDataset,
} from '../../../lambdas/core/dataset-owners.ts';
import { changePrincipal } from '../../../lambdas/core/directory-changes.ts';
import { ValidationError } from '../../../lambdas/core/errors.ts';
import { decideRequest, submitRequest } from '../../../lambdas/core/lifecycle.ts';
import type { AccessRequest } from '../../../lambdas/core/model.ts';
import { datasetView, ownerInWords } from '../../../lambdas/http/views.ts';
import {
  catalogueOf,
  dataset,
  later,
  NOW,
  people,
  policyWith,
  principal,
  submission,
  thrownBy,
} from '../../support/fixtures.ts';

const IAOS = 'Cancer Registry IAOs';
const iris = principal({ id: 'iris.iao', name: 'Iris IAO', grade: 'staff', groups: [IAOS] });
const ivan = principal({ id: 'ivan.iao', name: 'Ivan IAO', grade: 'manager', groups: ['Other', IAOS] });
const outsider = principal({ id: 'otto', name: 'Otto Outsider', grade: 'staff', groups: ['Other'] });
const cancer = dataset({
  id: 'cancer-registry',
  title: 'National Cancer Registration',
  owners: [`group:${IAOS}`],
});
const hes = dataset({ id: 'hes-apc', title: 'Hospital Episode Statistics', owners: [outsider.id] });
const catalogue = catalogueOf(cancer, hes);
const rules = policyWith({ approvals: { dataset: 'owner' } });
const requester = people.externalScA;
const DECIDED_AT = later('PT1H');

function pending(scopes: string[]): AccessRequest {
  const input = submission({ scopes });
  return submitRequest({ id: 'req-g', input, requester, catalogue, policy: rules, now: NOW }).request;
}

describe('matchesOwner: whether a principal is the owner a reference names', () => {
  it('matches a principal id, and a group reference by the principal groups only', () => {
    expect(matchesOwner(outsider, outsider.id)).toBe(true);
    expect(matchesOwner(iris, `group:${IAOS}`)).toBe(true);
    expect(matchesOwner(ivan, `group:${IAOS}`)).toBe(true);
    expect(matchesOwner(outsider, `group:${IAOS}`)).toBe(false);
    expect(matchesOwner({ id: 'no-groups' }, `group:${IAOS}`)).toBe(false);
    // A principal whose id reads like the reference is not a member: the prefix always means a group.
    expect(matchesOwner({ id: `group:${IAOS}` }, `group:${IAOS}`)).toBe(false);
    // Group names match exactly as stored (PATCH stores the name as the group is provisioned).
    expect(matchesOwner(iris, 'group:cancer registry iaos')).toBe(false);
    expect(ownerGroupOf(`group:${IAOS}`)).toBe(IAOS);
    expect(ownerGroupOf(iris.id)).toBeUndefined();
  });

  it('is what ownsAnyDataset and ownsNamedDataset use', () => {
    const request = pending(['dataset:cancer-registry']);

    expect(ownsAnyDataset(iris, catalogue.values())).toBe(true);
    expect(ownsAnyDataset(principal({ id: 'nobody' }), catalogue.values())).toBe(false);
    expect(ownsNamedDataset(ivan, request)).toBe(true);
    expect(ownsNamedDataset(outsider, request)).toBe(false);
  });
});

describe('a group-owned dataset in owner mode', () => {
  it('keeps the group reference fixed on the request at submission', () => {
    expect(pending(['dataset:cancer-registry']).ownerApproval).toEqual({
      mode: 'owner',
      datasets: [{ id: 'cancer-registry', owners: [`group:${IAOS}`] }],
    });
  });

  it('is approved by any one member, whatever their grade, as the owner', () => {
    const request = pending(['dataset:cancer-registry']);

    const approved = decideRequest({
      request,
      approver: iris,
      decision: 'approve',
      channel: 'api',
      policy: rules,
      now: DECIDED_AT,
    }).request;

    expect(approvalCapacity(iris, request, rules, DECIDED_AT)).toEqual({
      director: false,
      datasets: ['cancer-registry'],
    });
    expect(approved.status).toBe('APPROVED');
    expect(approved.approvals[0]?.capacity).toEqual({ director: false, datasets: ['cancer-registry'] });
  });

  it('refuses a member taken out of the group since submission, and a director outside it', () => {
    const request = pending(['dataset:cancer-registry']);
    const left = { ...iris, groups: [] };

    const refusal = thrownBy(() =>
      decideRequest({
        request,
        approver: left,
        decision: 'approve',
        channel: 'api',
        policy: rules,
        now: DECIDED_AT,
        datasetTitles: new Map([[cancer.id, cancer.title]]),
      }),
    );

    expect(refusal).toMatchObject({ code: 'NOT_DATASET_OWNER' });
    expect((refusal as Error).message).toContain('National Cancer Registration');
    expect(deciderRefusal(people.homeDirector, request, rules, DECIDED_AT)?.code).toBe('NOT_DATASET_OWNER');
  });

  it('never lets a member approve their own request', () => {
    const member = { ...requester, groups: [IAOS] };
    const input = submission({ scopes: ['dataset:cancer-registry'] });
    const { request } = submitRequest({
      id: 'r',
      input,
      requester: member,
      catalogue,
      policy: rules,
      now: NOW,
    });

    expect(deciderRefusal(member, request, rules, DECIDED_AT)?.code).toBe('SELF_APPROVAL');
  });

  it('sends the prompts to the members only, and only while the approval is missing', () => {
    const request = pending(['dataset:cancer-registry', 'dataset:hes-apc']);
    const directory = [iris, ivan, outsider, people.homeDirector, requester];
    const afterIris = decideRequest({
      request,
      approver: iris,
      decision: 'approve',
      channel: 'api',
      policy: rules,
      now: DECIDED_AT,
    }).request;

    expect(neededDeciders(directory, request, rules, DECIDED_AT).map((who) => who.id)).toEqual([
      iris.id,
      ivan.id,
      outsider.id,
    ]);
    expect(neededDeciders(directory, afterIris, rules, DECIDED_AT).map((who) => who.id)).toEqual([
      outsider.id,
    ]);
    expect(afterIris.status).toBe('PENDING_APPROVAL');
  });
});

describe('PATCH /datasets/{id} with a group owner', () => {
  const directory = new Map([outsider, iris, { ...ivan, active: false }].map((who) => [who.id, who]));
  const change = (owners: string[]) =>
    planDatasetChange({
      caller: people.accessAdmin,
      dataset: dataset({ id: 'cancer-registry', title: 'National Cancer Registration' }),
      patch: { owners },
      directory,
      groups: [IAOS, 'Keyholder Auditors'],
      now: NOW,
    });

  it('stores a known group as the identity provider names it, with a principal, audited', () => {
    const planned = change(['group:cancer registry IAOs ', outsider.id]);

    expect(planned.dataset.owners).toEqual([`group:${IAOS}`, outsider.id]);
    expect(planned.event?.details).toMatchObject({ owners: [`group:${IAOS}`, outsider.id] });
  });

  it('refuses an unknown group, an unknown or inactive principal, naming owners[i]', () => {
    const unknownGroup = thrownBy(() => change([outsider.id, 'group:Nobody Here']));
    const emptyGroup = thrownBy(() => change(['group:']));
    const unknownPrincipal = thrownBy(() => change(['nobody']));
    const inactive = thrownBy(() => change([outsider.id, `group:${IAOS}`, ivan.id]));

    expect(unknownGroup).toBeInstanceOf(ValidationError);
    expect(unknownGroup).toMatchObject({ field: 'owners[1]' });
    expect((unknownGroup as Error).message).toBe(
      'owners[1] names the group "Nobody Here", which the identity provider has not provisioned',
    );
    expect(emptyGroup).toMatchObject({ field: 'owners[0]' });
    expect(unknownPrincipal).toMatchObject({ field: 'owners[0]' });
    expect(inactive).toMatchObject({ field: 'owners[2]' });
    expect((inactive as Error).message).toContain('not active');
  });
});

describe('owners in words', () => {
  it('shows a group owner as its members and a principal by name', () => {
    const names = new Map([[outsider.id, outsider.name]]);

    expect(ownerInWords(`group:${IAOS}`, names)).toBe(`Members of ${IAOS}`);
    expect(ownerInWords(outsider.id, names)).toBe('Otto Outsider');
    expect(ownerInWords('gone', names)).toBe('gone');
    expect(datasetView({ ...cancer, owners: [`group:${IAOS}`, outsider.id] }, names).owners).toEqual([
      { id: `group:${IAOS}`, name: `Members of ${IAOS}` },
      { id: outsider.id, name: 'Otto Outsider' },
    ]);
  });
});

describe('a principal group memberships as SCIM writes them', () => {
  it('are sorted, recorded in the event, and none is absent', () => {
    const client = { provisioner: 'entra' };

    const joined = changePrincipal({
      caller: client,
      principal: outsider,
      patch: { groups: [IAOS, 'Other', IAOS] },
      now: NOW,
    });
    const left = changePrincipal({
      caller: client,
      principal: joined.principal,
      patch: { groups: [] },
      now: NOW,
    });
    const again = changePrincipal({
      caller: client,
      principal: left.principal,
      patch: { groups: [] },
      now: NOW,
    });

    expect(joined.principal.groups).toEqual([IAOS, 'Other']);
    expect(joined.event?.details).toMatchObject({ changed: ['groups'], groups: [IAOS, 'Other'] });
    expect(left.principal.groups).toBeUndefined();
    expect(left.event?.details).toMatchObject({ groups: [] });
    expect(again.event).toBeUndefined();
  });
});
