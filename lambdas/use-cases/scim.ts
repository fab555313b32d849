// Use case: a SCIM 2.0 client (Entra ID, Okta) provisions the directory. Every change to a principal goes through
// the same use case as PATCH /principals (updatePrincipal / createPrincipal): one transaction with its event on the
// principal's chained stream, actor `scim:<client>`, and a holder who no longer stands loses access in the same call.
import { randomUUID } from 'node:crypto';
import { auditStreamOfPrincipal } from '../adapters/dynamodb/schema.ts';
import type { ScimGroup, ScimGroupItemChange, ScimGroupStore } from '../adapters/dynamodb/scim-groups.ts';
import { chainEvent } from '../core/audit.ts';
import { changePrincipal, groupNames, type ProvisioningClient } from '../core/directory-changes.ts';
import { ConflictError, KeyholderError, NotFoundError } from '../core/errors.ts';
import type { Principal, Role, ScimRecord } from '../core/model.ts';
import type { PrincipalChange } from '../core/ports.ts';
import { invalidValue, notFound, ScimError } from '../core/scim/errors.ts';
import { equalityOn, type Filter, matches, memberOf, parseFilter } from '../core/scim/filter.ts';
import {
  applyPatch,
  GROUP_PATCH_SCHEMA,
  type PatchOperation,
  patchOperations,
  USER_PATCH_SCHEMA,
} from '../core/scim/patch.ts';
import {
  fitsId,
  GROUP_SCHEMA,
  LIST_SCHEMA,
  normaliseUser,
  principalFieldsOf,
  principalIdOf,
  type ScimPrincipalId,
  userOfPrincipal,
  userView,
} from '../core/scim/user.ts';
import { type Dependencies, withOptimisticRetry } from './context.ts';
import { createPrincipal, updatePrincipal } from './update-principal.ts';

export interface ScimContext {
  readonly deps: Dependencies;
  readonly groups: ScimGroupStore;
  readonly idAttribute: ScimPrincipalId;
  readonly groupRoles: Readonly<Record<string, Role>>;
  /** `<API url>/scim/v2`, for meta.location. */
  readonly baseUrl: string;
}

type Json = Record<string, unknown>;

export const MAX_PAGE = 200;
/** How much of an id too long to name anything an error repeats. */
const MAX_SHOWN = 40;

/** Domain errors in SCIM terms: 404, 409 uniqueness, 400 invalidValue. */
async function scimErrors<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof NotFoundError) throw notFound(error.message);
    if (error instanceof ConflictError) throw new ScimError(409, 'uniqueness', error.message);
    if (error instanceof KeyholderError && error.kind === 'validation') throw invalidValue(error.message);
    throw error;
  }
}

/** A principal provisioned before SCIM (seeded, or by the API) read as a User, so a client can take it over. */
function resourceOf(ctx: ScimContext, principal: Principal): Json {
  if (principal.scim) return principal.scim.resource as Json;
  return userOfPrincipal(principal, ctx.idAttribute) as Json;
}

function recordOf(ctx: ScimContext, principal: Principal): ScimRecord {
  return principal.scim ?? { resource: resourceOf(ctx, principal), created: '', lastModified: '' };
}

function view(ctx: ScimContext, principal: Principal, seq: number): Json {
  return userView(principal, recordOf(ctx, principal), ctx.baseUrl, seq);
}

/** What a principal's memberships give it: the roles of the mapped groups, and every group's display name. */
function membershipOf(
  ctx: ScimContext,
  groups: readonly ScimGroup[],
  principalId: string,
): { roles: Role[]; groups: string[] } {
  const roles = new Set<Role>();
  const names: string[] = [];
  for (const group of groups) {
    if (!group.members.includes(principalId)) continue;
    names.push(group.displayName);
    const role = roleOfGroup(ctx, group.displayName);
    if (role) roles.add(role);
  }
  return { roles: [...roles].sort(), groups: names };
}

async function membershipOnCreate(ctx: ScimContext, id: string) {
  const { roles, groups } = membershipOf(ctx, await ctx.groups.list(), id);
  return { roles, groups: groupNames(groups) };
}

function roleOfGroup(ctx: ScimContext, displayName: string): Role | undefined {
  return Object.hasOwn(ctx.groupRoles, displayName) ? ctx.groupRoles[displayName] : undefined;
}

async function storedUser(ctx: ScimContext, id: string) {
  if (!fitsId(id)) throw notFound(`no User ${id.slice(0, MAX_SHOWN)}…`);
  const stored = await ctx.deps.directory.getPrincipalRecord(id);
  if (!stored || stored.principal.scim?.deleted) throw notFound(`no User ${id}`);
  return stored;
}

/** 412 when the client's If-Match names another version than the stored one. */
function checkVersion(ifMatch: string | undefined, seq: number): void {
  if (ifMatch === undefined || ifMatch.trim() === '*') return;
  const wanted = ifMatch.split(',').map((tag) => tag.trim().replace(/^W\//, ''));
  if (!wanted.includes(`"${seq}"`))
    throw new ScimError(412, undefined, 'the User changed since that version');
}

export async function getUser(ctx: ScimContext, id: string): Promise<Json> {
  const stored = await storedUser(ctx, id);
  return view(ctx, stored.principal, stored.audit.seq);
}

export async function createUser(ctx: ScimContext, client: ProvisioningClient, body: unknown): Promise<Json> {
  const resource = normaliseUser(body);
  const id = principalIdOf(resource, ctx.idAttribute);
  const existing = await ctx.deps.directory.getPrincipalRecord(id);
  if (existing && !existing.principal.scim?.deleted) {
    throw new ScimError(
      409,
      'uniqueness',
      `a User with ${ctx.idAttribute} ${JSON.stringify(id)} exists already`,
    );
  }
  if (existing) return await writeUser(ctx, client, id, resource, undefined, { revive: true });
  const now = ctx.deps.clock.now();
  const fields = principalFieldsOf(resource, ctx.deps.policy.homeOrganisation);
  const principal: Principal = {
    id,
    ...fields,
    clearance: fields.clearance ?? undefined,
    slackUserId: fields.slackUserId ?? undefined,
    ...(await membershipOnCreate(ctx, id)),
    scim: { resource, created: now, lastModified: now },
  };
  await scimErrors(() => createPrincipal(ctx.deps, client, principal));
  return view(ctx, principal, 1);
}

async function writeUser(
  ctx: ScimContext,
  client: ProvisioningClient,
  id: string,
  resource: Json,
  ifMatch: string | undefined,
  options: { revive?: boolean; delete?: boolean } = {},
): Promise<Json> {
  const stored = options.revive ? await ctx.deps.directory.getPrincipalRecord(id) : await storedUser(ctx, id);
  if (!stored) throw notFound(`no User ${id}`);
  checkVersion(ifMatch, stored.audit.seq);
  if (principalIdOf(resource, ctx.idAttribute) !== id) {
    throw new ScimError(400, 'mutability', `${ctx.idAttribute} is the principal id and cannot change`);
  }
  const before = recordOf(ctx, stored.principal);
  const now = ctx.deps.clock.now();
  const sameResource = JSON.stringify(sortKeys(before.resource)) === JSON.stringify(sortKeys(resource));
  const deleted = options.delete ? true : undefined;
  const scim: ScimRecord =
    sameResource && Boolean(before.deleted) === Boolean(deleted) && stored.principal.scim
      ? stored.principal.scim
      : { resource, created: before.created || now, lastModified: now, ...(deleted ? { deleted } : {}) };
  const fields = principalFieldsOf(resource, ctx.deps.policy.homeOrganisation);
  const result = await scimErrors(() =>
    updatePrincipal(ctx.deps, client, id, {
      ...fields,
      active: options.delete ? false : fields.active,
      scim,
    }),
  );
  const after = await ctx.deps.directory.getPrincipalRecord(id);
  return view(ctx, result.principal, after?.audit.seq ?? stored.audit.seq);
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((key) => [key, sortKeys((value as Json)[key])]),
    );
  }
  return value;
}

export async function replaceUser(
  ctx: ScimContext,
  client: ProvisioningClient,
  id: string,
  body: unknown,
  ifMatch?: string,
): Promise<Json> {
  return await writeUser(ctx, client, id, normaliseUser(body), ifMatch);
}

export async function patchUser(
  ctx: ScimContext,
  client: ProvisioningClient,
  id: string,
  body: unknown,
  ifMatch?: string,
): Promise<Json> {
  const operations = patchOperations(body);
  const stored = await storedUser(ctx, id);
  const patched = applyPatch(
    structuredClone(resourceOf(ctx, stored.principal)),
    operations,
    USER_PATCH_SCHEMA,
  );
  return await writeUser(ctx, client, id, normaliseUser(patched), ifMatch);
}

/** Soft delete: inactive (every grant revoked at once), kept for the audit; GET answers 404 from now on. */
export async function deleteUser(
  ctx: ScimContext,
  client: ProvisioningClient,
  id: string,
  ifMatch?: string,
): Promise<void> {
  const stored = await storedUser(ctx, id);
  await writeUser(ctx, client, id, resourceOf(ctx, stored.principal), ifMatch, { delete: true });
}

export interface ListQuery {
  readonly filter?: string | undefined;
  readonly startIndex?: string | undefined;
  readonly count?: string | undefined;
}

function paging(query: ListQuery): { start: number; count: number } {
  const int = (value: string | undefined, fallback: number, name: string) => {
    if (value === undefined) return fallback;
    if (!/^-?\d{1,9}$/.test(value)) throw invalidValue(`${name} must be an integer`);
    return Number(value);
  };
  const start = Math.max(1, int(query.startIndex, 1, 'startIndex'));
  const count = Math.min(MAX_PAGE, Math.max(0, int(query.count, 100, 'count')));
  return { start, count };
}

function listResponse(all: readonly Json[], start: number, count: number): Json {
  const page = all.slice(start - 1, start - 1 + count);
  return {
    schemas: [LIST_SCHEMA],
    totalResults: all.length,
    startIndex: start,
    itemsPerPage: page.length,
    Resources: page,
  };
}

export async function listUsers(ctx: ScimContext, query: ListQuery): Promise<Json> {
  const filter: Filter | undefined = query.filter === undefined ? undefined : parseFilter(query.filter);
  const { start, count } = paging(query);
  // The id attribute (or `id`) by equality is one consistent read: Entra ID and Okta look a user up this way first.
  const direct = filter && (equalityOn(filter, 'id') ?? equalityOn(filter, ctx.idAttribute));
  let candidates: Json[];
  if (direct !== undefined && direct !== '' && !fitsId(direct)) {
    candidates = []; // no principal has an id that long; the store would refuse the key
  } else if (direct !== undefined && direct !== '') {
    const stored = await ctx.deps.directory.getPrincipalRecord(direct);
    candidates =
      stored && !stored.principal.scim?.deleted ? [view(ctx, stored.principal, stored.audit.seq)] : [];
  } else {
    const principals = await ctx.deps.directory.listPrincipals();
    candidates = principals
      .filter((principal) => !principal.scim?.deleted)
      .sort((a, b) => a.id.localeCompare(b.id))
      .map((principal) => view(ctx, principal, 0));
  }
  const hits = filter ? candidates.filter((resource) => matches(resource, filter)) : candidates;
  return listResponse(hits, start, count);
}

// ---- Groups: members are principal ids; a mapped group's members hold its role.

function groupView(ctx: ScimContext, group: ScimGroup): Json {
  return {
    schemas: [GROUP_SCHEMA],
    id: group.id,
    displayName: group.displayName,
    ...(group.externalId ? { externalId: group.externalId } : {}),
    members: group.members.map((value) => ({
      value,
      $ref: `${ctx.baseUrl}/Users/${encodeURIComponent(value)}`,
    })),
    meta: {
      resourceType: 'Group',
      created: group.created,
      lastModified: group.lastModified,
      location: `${ctx.baseUrl}/Groups/${group.id}`,
    },
  };
}

export const MAX_GROUP_MEMBERS = 10_000;

function normaliseGroup(body: unknown): { displayName: string; externalId?: string; members: string[] } {
  if (!body || typeof body !== 'object' || Array.isArray(body))
    throw invalidValue('a Group must be an object');
  const displayName = memberOf(body, 'displayName');
  if (typeof displayName !== 'string' || displayName.trim() === '' || displayName.length > 256) {
    throw invalidValue('displayName is required (a string of at most 256 characters)');
  }
  const externalId = memberOf(body, 'externalId');
  if (externalId !== undefined && typeof externalId !== 'string')
    throw invalidValue('externalId must be a string');
  const membersIn = memberOf(body, 'members') ?? [];
  if (!Array.isArray(membersIn)) throw invalidValue('members must be a list');
  if (membersIn.length > MAX_GROUP_MEMBERS) throw invalidValue(`at most ${MAX_GROUP_MEMBERS} members`);
  const members = membersIn.map((member, index) => {
    const value = memberOf(member, 'value');
    if (typeof value !== 'string' || !fitsId(value)) {
      throw invalidValue(`members[${index}].value must be a User id`);
    }
    return value;
  });
  return {
    displayName: displayName.trim(),
    ...(externalId ? { externalId } : {}),
    members: [...new Set(members)],
  };
}

/**
 * A group change and what it does to its members, in one transaction (ScimGroupStore.write): every member whose
 * roles or groups change gets them recomputed from the groups as they will be, with a PRINCIPAL_UPDATED event on
 * their stream. Standing (active, clearance) never depends on a group, so no grant ends here; a member taken out
 * of a group that owns a dataset can no longer approve for it from the moment this commits.
 */
async function commitGroup(
  ctx: ScimContext,
  client: ProvisioningClient,
  change: ScimGroupItemChange,
  affected: Iterable<string>,
): Promise<void> {
  const changedId =
    change.kind === 'none' ? undefined : change.kind === 'delete' ? change.expected.id : change.group.id;
  const others = (await ctx.groups.list()).filter((group) => group.id !== changedId);
  const after = change.kind === 'create' || change.kind === 'replace' ? [...others, change.group] : others;
  const now = ctx.deps.clock.now();
  const members: PrincipalChange[] = [];
  const stored = new Map<string, Principal>();
  for (const id of new Set(affected)) {
    if (!fitsId(id)) continue; // stored before ids were bounded: names no principal
    const record = await ctx.deps.directory.getPrincipalRecord(id);
    if (!record) continue; // a member the directory does not know (yet): createUser gives it its groups
    const planned = changePrincipal({
      caller: client,
      principal: record.principal,
      patch: membershipOf(ctx, after, id),
      now,
    });
    if (!planned.event) continue;
    stored.set(id, record.principal);
    members.push({
      principal: planned.principal,
      event: chainEvent(auditStreamOfPrincipal(id), record.audit, planned.event),
      expectedHead: record.audit,
    });
  }
  // Should a change too big for one transaction be cut short, the members who lose a group have lost it already:
  // a leaver never keeps an owner's say because of a half-made write (ScimGroupStore.write).
  const losing = (member: PrincipalChange) => {
    const before = new Set(stored.get(member.principal.id)?.groups ?? []);
    const after = new Set(member.principal.groups ?? []);
    return [...before].some((name) => !after.has(name));
  };
  members.sort((a, b) => Number(losing(b)) - Number(losing(a)));
  await scimErrors(() => ctx.groups.write({ group: change, members }));
}

async function storedGroup(ctx: ScimContext, id: string): Promise<ScimGroup> {
  if (!fitsId(id)) throw notFound(`no Group ${id.slice(0, MAX_SHOWN)}…`);
  const group = await ctx.groups.get(id);
  if (!group) throw notFound(`no Group ${id}`);
  return group;
}

export async function createGroup(
  ctx: ScimContext,
  client: ProvisioningClient,
  body: unknown,
): Promise<Json> {
  const input = normaliseGroup(body);
  const existing = (await ctx.groups.list()).find(
    (group) => group.displayName.toLowerCase() === input.displayName.toLowerCase(),
  );
  if (existing)
    throw new ScimError(409, 'uniqueness', `a Group named ${JSON.stringify(input.displayName)} exists`);
  const now = ctx.deps.clock.now();
  const group: ScimGroup = { id: randomUUID(), ...input, created: now, lastModified: now };
  await withOptimisticRetry(() => commitGroup(ctx, client, { kind: 'create', group }, group.members));
  return groupView(ctx, group);
}

export async function getGroup(ctx: ScimContext, id: string): Promise<Json> {
  return groupView(ctx, await storedGroup(ctx, id));
}

export async function listGroups(ctx: ScimContext, query: ListQuery): Promise<Json> {
  const filter = query.filter === undefined ? undefined : parseFilter(query.filter);
  const { start, count } = paging(query);
  const all = (await ctx.groups.list()).sort((a, b) => a.displayName.localeCompare(b.displayName));
  const views = all.map((group) => groupView(ctx, group));
  return listResponse(filter ? views.filter((resource) => matches(resource, filter)) : views, start, count);
}

/** A group replaced by `next(before)`, retried from fresh state when it or a member changed meanwhile. */
async function writeGroup(
  ctx: ScimContext,
  client: ProvisioningClient,
  id: string,
  next: (before: ScimGroup) => ReturnType<typeof normaliseGroup>,
) {
  return await withOptimisticRetry(async () => {
    const before = await storedGroup(ctx, id);
    const input = next(before);
    const same =
      before.displayName === input.displayName &&
      before.externalId === input.externalId &&
      JSON.stringify([...before.members].sort()) === JSON.stringify([...input.members].sort());
    const group: ScimGroup = same ? before : { ...before, ...input, lastModified: ctx.deps.clock.now() };
    const affected = [...before.members, ...input.members].filter(
      (member) =>
        before.displayName !== input.displayName ||
        before.members.includes(member) !== input.members.includes(member),
    );
    await commitGroup(
      ctx,
      client,
      same ? { kind: 'none' } : { kind: 'replace', group, expected: before },
      affected,
    );
    return groupView(ctx, group);
  });
}

export async function replaceGroup(ctx: ScimContext, client: ProvisioningClient, id: string, body: unknown) {
  const input = normaliseGroup(body);
  return await writeGroup(ctx, client, id, () => input);
}

export async function patchGroup(ctx: ScimContext, client: ProvisioningClient, id: string, body: unknown) {
  const operations: PatchOperation[] = patchOperations(body);
  return await writeGroup(ctx, client, id, (before) =>
    normaliseGroup(applyPatch(groupView(ctx, before), operations, GROUP_PATCH_SCHEMA)),
  );
}

export async function deleteGroup(ctx: ScimContext, client: ProvisioningClient, id: string): Promise<void> {
  await withOptimisticRetry(async () => {
    const group = await storedGroup(ctx, id);
    await commitGroup(ctx, client, { kind: 'delete', expected: group }, group.members);
  });
}
