// Group owners on DynamoDB Local: a SCIM Group write and its members' `groups` commit in one transaction (a stale
// member refuses the whole write), a dataset owned by `group:<name>` is approved by a member, and a member the
// identity provider took out of the group is refused from that moment.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbAuditLedger } from '../../lambdas/adapters/dynamodb/audit-ledger.ts';
import { auditStreamOfPrincipal } from '../../lambdas/adapters/dynamodb/schema.ts';
import { DynamoDbScimGroups, MEMBERS_PER_TRANSACTION } from '../../lambdas/adapters/dynamodb/scim-groups.ts';
import { chainEvent } from '../../lambdas/core/audit.ts';
import { changePrincipal } from '../../lambdas/core/directory-changes.ts';
import { ConcurrentChangeError, ForbiddenError, ValidationError } from '../../lambdas/core/errors.ts';
import { DEFAULT_GROUP_ROLES } from '../../lambdas/core/scim/user.ts';
import { decideOnRequest } from '../../lambdas/use-cases/decide-request.ts';
import {
  createGroup,
  createUser,
  deleteGroup,
  patchGroup,
  type ScimContext,
} from '../../lambdas/use-cases/scim.ts';
import { submitAccessRequest } from '../../lambdas/use-cases/submit-request.ts';
import { updateDataset } from '../../lambdas/use-cases/update-dataset.ts';
import { verifyAuditTrail } from '../../lambdas/use-cases/verify-audit.ts';
import { createTestTables, type TestTables } from '../support/dynamodb.ts';
import { NOW, people, policyWith, principal } from '../support/fixtures.ts';
import { type SweepWorld, sweepWorld } from '../support/sweep-world.ts';

const IAOS = 'Cancer Registry IAOs';
const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const client = { provisioner: 'entra' };
const JUSTIFICATION = 'Investigating a data quality incident in the admissions feed';

let tables: TestTables;
let world: SweepWorld;
let ctx: ScimContext;
let groupId = '';

const principalNow = async (id: string) => await world.deps.directory.getPrincipal(id);
const streamOf = async (id: string) => await world.deps.store.readAuditStream(auditStreamOfPrincipal(id));

beforeAll(async () => {
  tables = await createTestTables();
  world = await sweepWorld(tables, { now: NOW, policy: policyWith({ approvals: { dataset: 'owner' } }) });
  ctx = {
    deps: world.deps,
    groups: new DynamoDbScimGroups(tables.documentClient, tables),
    idAttribute: 'userName',
    groupRoles: DEFAULT_GROUP_ROLES,
    baseUrl: 'https://keyholder.test/scim/v2',
  };
}, 60_000);
afterAll(async () => {
  await tables?.cleanup();
});

describe('SCIM group membership on the principals', () => {
  it('gives the members the group in the same write, each with its event; an unknown member is harmless', async () => {
    // Act
    const created = await createGroup(ctx, client, {
      displayName: IAOS,
      members: [{ value: people.manager.id }, { value: people.homeDirector.id }, { value: 'not-yet-here' }],
    });
    groupId = created.id as string;

    // Assess
    expect((await principalNow(people.manager.id))?.groups).toEqual([IAOS]);
    expect((await principalNow(people.homeDirector.id))?.groups).toEqual([IAOS]);
    expect((await principalNow(people.executiveDirector.id))?.groups).toBeUndefined();
    const events = await streamOf(people.manager.id);
    expect(events.map((event) => [event.action, event.actor.id, event.details])).toEqual([
      ['PRINCIPAL_UPDATED', 'scim:entra', { changed: ['groups'], groups: [IAOS] }],
    ]);
    expect(await ctx.groups.get(groupId)).toMatchObject({ displayName: IAOS });
  });

  it('creates a User who is already a member with the group, recorded in PRINCIPAL_CREATED', async () => {
    // Act
    await createUser(ctx, client, {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:User'],
      userName: 'not-yet-here',
      displayName: 'Newly Here',
      emails: [{ value: 'new@nhse.example', primary: true }],
      active: true,
    });

    // Assess
    expect((await principalNow('not-yet-here'))?.groups).toEqual([IAOS]);
    expect((await streamOf('not-yet-here'))[0]).toMatchObject({
      action: 'PRINCIPAL_CREATED',
      details: { roles: [], groups: [IAOS] },
    });
  });

  it('writes nothing, neither the group nor any member, when one member changed since it was read', async () => {
    // Prepare: a change planned from a member's record whose head then moves
    const before = (await ctx.groups.get(groupId)) ?? expect.fail('the group');
    const stored =
      (await world.deps.directory.getPrincipalRecord(people.executiveDirector.id)) ?? expect.fail();
    const planned = changePrincipal({
      caller: client,
      principal: stored.principal,
      patch: { groups: [IAOS] },
      now: NOW,
    });
    const change = {
      principal: planned.principal,
      event: chainEvent(
        auditStreamOfPrincipal(stored.principal.id),
        stored.audit,
        planned.event ?? expect.fail(),
      ),
      expectedHead: stored.audit,
    };
    await patchGroup(ctx, client, groupId, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'Add', path: 'members', value: [{ value: people.executiveDirector.id }] }],
    });
    await patchGroup(ctx, client, groupId, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'Remove', path: 'members', value: [{ value: people.executiveDirector.id }] }],
    });
    const current = (await ctx.groups.get(groupId)) ?? expect.fail('the group');

    // Act
    const write = ctx.groups.write({
      group: {
        kind: 'replace',
        group: { ...current, displayName: 'Renamed', lastModified: '2030-01-01T00:00:00.000Z' },
        expected: current,
      },
      members: [change],
    });

    // Assess
    await expect(write).rejects.toBeInstanceOf(ConcurrentChangeError);
    expect(await ctx.groups.get(groupId)).toEqual(current);
    expect(current.members).toEqual(before.members);
    expect((await principalNow(people.executiveDirector.id))?.groups).toBeUndefined();
    expect((await streamOf(people.executiveDirector.id)).map((event) => event.details?.groups)).toEqual([
      [IAOS],
      [],
    ]);
  });
});

describe('a dataset owned by a group', () => {
  const submit = async () =>
    await submitAccessRequest(world.deps, people.externalScA, {
      scopes: ['dataset:hes-apc'],
      justification: JUSTIFICATION,
      duration: 'PT1H',
    });
  const decide = async (approver: string, requestId: string) =>
    await decideOnRequest(world.deps, {
      requestId,
      approver: (await principalNow(approver)) ?? expect.fail(approver),
      decision: 'approve',
      channel: 'api',
    });

  it('takes a known group as owner (by its provisioned name) and refuses an unknown one naming owners[i]', async () => {
    // Act
    const unknown = await updateDataset(world.deps, people.accessAdmin, 'hes-apc', {
      owners: [people.manager.id, 'group:Nobody'],
    }).catch((error: unknown) => error);
    const set = await updateDataset(world.deps, people.accessAdmin, 'hes-apc', {
      owners: ['group:cancer registry iaos'],
    });

    // Assess
    expect(unknown).toBeInstanceOf(ValidationError);
    expect(unknown).toMatchObject({ field: 'owners[1]' });
    expect(set.dataset.owners).toEqual([`group:${IAOS}`]);
    expect((await world.deps.directory.getDatasetRecord('hes-apc'))?.dataset.owners).toEqual([
      `group:${IAOS}`,
    ]);
  });

  it('is approved by a member, and refuses a member removed from the group since submission', async () => {
    // Prepare
    const first = await submit();
    const second = await submit();

    // Act: a member approves the first; the identity provider then removes them from the group
    const approved = await decide(people.manager.id, first.id);
    await patchGroup(ctx, client, groupId, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'Remove', path: 'members', value: [{ value: people.manager.id }] }],
    });
    const refused = decide(people.manager.id, second.id);

    // Assess
    expect(approved.status).toBe('APPROVED');
    expect(approved.approvals[0]).toMatchObject({
      approverId: people.manager.id,
      capacity: { director: false, datasets: ['hes-apc'] },
    });
    expect(second.ownerApproval?.datasets).toEqual([{ id: 'hes-apc', owners: [`group:${IAOS}`] }]);
    await expect(refused).rejects.toBeInstanceOf(ForbiddenError);
    await expect(refused).rejects.toMatchObject({ code: 'NOT_DATASET_OWNER' });
    expect((await principalNow(people.manager.id))?.groups).toBeUndefined();
    // The member still in the group decides it
    expect((await decide(people.homeDirector.id, second.id)).status).toBe('APPROVED');
  });

  it('takes the group from every member when it is deleted, and the trail verifies', async () => {
    // Act
    await deleteGroup(ctx, client, groupId);

    // Assess
    expect((await principalNow(people.homeDirector.id))?.groups).toBeUndefined();
    expect(await ctx.groups.get(groupId)).toBeUndefined();
    const ledger = new DynamoDbAuditLedger(tables.documentClient, tables);
    expect((await verifyAuditTrail({ ledger, clock: world.deps.clock })).ok).toBe(true);
  });
});

describe('a group change larger than one transaction', () => {
  it(`writes every member and the group when more than ${MEMBERS_PER_TRANSACTION} members change at once`, async () => {
    // Prepare
    const many = Array.from({ length: MEMBERS_PER_TRANSACTION + 6 }, (_, index) =>
      principal({ id: `member-${String(index).padStart(2, '0')}`, name: `Member ${index}` }),
    );
    for (const member of many) await world.directory.putPrincipal(member);

    // Act
    const created = await createGroup(ctx, client, {
      displayName: 'Everyone',
      members: many.map((member) => ({ value: member.id })),
    });
    const emptied = await patchGroup(ctx, client, created.id as string, {
      schemas: [PATCH_OP],
      Operations: [{ op: 'Replace', path: 'members', value: [{ value: 'member-00' }] }],
    });

    // Assess
    expect(emptied.members).toEqual([expect.objectContaining({ value: 'member-00' })]);
    const after = await Promise.all(many.map((member) => principalNow(member.id)));
    expect(after.map((member) => member?.groups)).toEqual(
      many.map((_, index) => (index === 0 ? ['Everyone'] : undefined)),
    );
    const trail = await streamOf('member-29');
    expect(trail.map((event) => event.details?.groups)).toEqual([['Everyone'], []]);
  });
});
