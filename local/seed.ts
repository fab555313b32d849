// Writes the directory (principals) and dataset catalogue, for the local stack and tests; the data is theirs. The
// local stack provisions the people through SCIM (provisionThroughScim) and writes the datasets directly.
import type { Dataset, Principal, Role } from '../lambdas/core/model.ts';
import {
  ENTERPRISE_SCHEMA,
  GROUP_SCHEMA,
  KEYHOLDER_SCHEMA,
  type ScimPrincipalId,
  USER_SCHEMA,
  userOfPrincipal,
} from '../lambdas/core/scim/user.ts';

/** What seeding needs from the directory adapter (DynamoDbDirectory has both). */
export interface DirectoryWriter {
  putPrincipal(principal: Principal): Promise<void>;
  putDataset(dataset: Dataset): Promise<void>;
}

export interface DirectorySeed {
  readonly principals: readonly Principal[];
  readonly datasets: readonly Dataset[];
}

const WRITES_IN_FLIGHT = 10;

/** Puts every principal and dataset (an existing one with the same id is replaced). */
export async function seedDirectory(directory: DirectoryWriter, seed: DirectorySeed): Promise<void> {
  const ids = new Set<string>();
  for (const principal of seed.principals) {
    if (ids.has(principal.id)) throw new Error(`the seed names principal ${principal.id} twice`);
    ids.add(principal.id);
  }
  const writes = [
    ...seed.principals.map((principal) => () => directory.putPrincipal(principal)),
    ...seed.datasets.map((dataset) => () => directory.putDataset(dataset)),
  ];
  // A few at a time: DynamoDB Local is a single JVM and the table may be shared with a running stack.
  for (let start = 0; start < writes.length; start += WRITES_IN_FLIGHT) {
    await Promise.all(writes.slice(start, start + WRITES_IN_FLIGHT).map((write) => write()));
  }
}

// ---- The directory through SCIM: the seed's people become SCIM Users (and their roles SCIM Groups), provisioned
// by the same handler API Gateway serves at /scim/v2, as Entra ID or Okta would provision them.

/** One SCIM call as the seeding makes it; `id` fills the route's {id}. */
export interface ScimCall {
  readonly method: 'GET' | 'POST' | 'PUT';
  readonly resource: 'Users' | 'Groups';
  readonly id?: string;
  readonly query?: Readonly<Record<string, string>>;
  readonly body?: unknown;
  readonly ifMatch?: string;
}

export interface ScimAnswer {
  readonly status: number;
  // biome-ignore lint/suspicious/noExplicitAny: a SCIM resource, list or error as JSON
  readonly body: any;
}

export type ScimInvoke = (call: ScimCall) => Promise<ScimAnswer>;

export interface ScimSeedReport {
  /** Users in the seed, and what became of each: created, replaced (PUT) with a change, or already as seeded. */
  readonly users: number;
  readonly created: number;
  readonly updated: number;
  readonly unchanged: number;
  /** Groups provisioned for the seed's roles. */
  readonly groups: number;
  readonly ms: number;
}

/** The seed principal as the User an identity provider would send (lambdas/core/scim/user.ts reads it back). */
export function scimUserOf(principal: Principal, idAttribute: ScimPrincipalId): Record<string, unknown> {
  return {
    schemas: [USER_SCHEMA, ENTERPRISE_SCHEMA, KEYHOLDER_SCHEMA],
    ...userOfPrincipal(principal, idAttribute),
  };
}

/**
 * The Groups that give the seed's roles: for each role someone holds, the first group the mapping sends to it. A
 * role no group maps to cannot come through SCIM, and the start fails saying which. Then every group a seed
 * principal lists in `groups`, with those principals as members.
 */
export function scimGroupsOf(
  principals: readonly Principal[],
  groupRoles: Readonly<Record<string, Role>>,
  source: string,
): { displayName: string; members: string[] }[] {
  const groups = new Map<string, string[]>();
  for (const principal of principals) {
    for (const role of principal.roles) {
      const group = Object.keys(groupRoles).find((name) => groupRoles[name] === role);
      if (group === undefined) {
        throw new Error(
          `the seed gives ${principal.id} the role ${role}, but ${source} maps no SCIM group to it`,
        );
      }
      groups.set(group, [...(groups.get(group) ?? []), principal.id]);
    }
    // Other groups the seed names (e.g. the members of a group that owns a dataset: `group:<name>` owners).
    for (const group of principal.groups ?? []) {
      groups.set(group, [...(groups.get(group) ?? []), principal.id]);
    }
  }
  return [...groups].map(([displayName, members]) => ({ displayName, members: [...new Set(members)] }));
}

const SCIM_CALLS_IN_FLIGHT = 4;

function refused(what: string, answer: ScimAnswer): Error {
  const detail = typeof answer.body?.detail === 'string' ? `: ${answer.body.detail}` : '';
  return new Error(`seeding the directory through SCIM: ${what} answered ${answer.status}${detail}`);
}

const versionOf = (answer: ScimAnswer): string | undefined => answer.body?.meta?.version;

/**
 * Provisions the seed's people through SCIM: the Groups first (so each User is created with its roles, one
 * PRINCIPAL_CREATED event each), then the Users. On a restart over persisted data a User or Group that exists
 * (409 uniqueness) is replaced with PUT: the seed file is the identity provider, and a PUT that changes nothing
 * writes nothing.
 */
export async function provisionThroughScim(
  invoke: ScimInvoke,
  principals: readonly Principal[],
  options: { readonly idAttribute: ScimPrincipalId; readonly groupRoles: Readonly<Record<string, Role>> },
  source = 'KEYHOLDER_SCIM_GROUP_ROLES',
): Promise<ScimSeedReport> {
  const started = performance.now();
  const ids = new Set<string>();
  for (const principal of principals) {
    if (ids.has(principal.id)) throw new Error(`the seed names principal ${principal.id} twice`);
    ids.add(principal.id);
  }
  const groups = scimGroupsOf(principals, options.groupRoles, source);
  for (const group of groups) {
    const body = {
      schemas: [GROUP_SCHEMA],
      displayName: group.displayName,
      members: group.members.map((value) => ({ value })),
    };
    const created = await invoke({ method: 'POST', resource: 'Groups', body });
    if (created.status === 201) continue;
    if (created.status !== 409) throw refused(`POST /Groups ${group.displayName}`, created);
    const found = await invoke({
      method: 'GET',
      resource: 'Groups',
      query: { filter: `displayName eq ${JSON.stringify(group.displayName)}` },
    });
    const id = found.body?.Resources?.[0]?.id;
    if (found.status !== 200 || typeof id !== 'string')
      throw refused(`GET /Groups ${group.displayName}`, found);
    const replaced = await invoke({ method: 'PUT', resource: 'Groups', id, body });
    if (replaced.status !== 200) throw refused(`PUT /Groups/${id}`, replaced);
  }
  let created = 0;
  let updated = 0;
  const provision = async (principal: Principal) => {
    const body = scimUserOf(principal, options.idAttribute);
    const posted = await invoke({ method: 'POST', resource: 'Users', body });
    if (posted.status === 201) {
      created += 1;
      return;
    }
    if (posted.status !== 409) throw refused(`POST /Users ${principal.id}`, posted);
    const current = await invoke({ method: 'GET', resource: 'Users', id: principal.id });
    if (current.status !== 200) throw refused(`GET /Users/${principal.id}`, current);
    const version = versionOf(current);
    const replaced = await invoke({
      method: 'PUT',
      resource: 'Users',
      id: principal.id,
      body,
      ...(version ? { ifMatch: version } : {}),
    });
    if (replaced.status !== 200) throw refused(`PUT /Users/${principal.id}`, replaced);
    if (versionOf(replaced) !== version) updated += 1;
  };
  // A few at a time: DynamoDB Local is a single JVM.
  for (let start = 0; start < principals.length; start += SCIM_CALLS_IN_FLIGHT) {
    await Promise.all(principals.slice(start, start + SCIM_CALLS_IN_FLIGHT).map(provision));
  }
  return {
    users: principals.length,
    created,
    updated,
    unchanged: principals.length - created - updated,
    groups: groups.length,
    ms: Math.round(performance.now() - started),
  };
}
