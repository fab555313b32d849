// The seed file as SCIM resources (local/seed.ts): each principal's User reads back as the same principal, roles
// become Groups by the mapping (and a principal's other `groups` Groups of their own), and a restart over persisted data replaces what exists (409 -> PUT) without failing.
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import type { Principal } from '../../../lambdas/core/model.ts';
import {
  DEFAULT_GROUP_ROLES,
  normaliseUser,
  principalFieldsOf,
  principalIdOf,
} from '../../../lambdas/core/scim/user.ts';
import {
  provisionThroughScim,
  type ScimAnswer,
  type ScimCall,
  scimGroupsOf,
  scimUserOf,
} from '../../../local/seed.ts';
import { DEFAULT_SEED_FILE } from '../../../local/stack.ts';

const seed = JSON.parse(await readFile(DEFAULT_SEED_FILE, 'utf8')) as { principals: Principal[] };
const options = { idAttribute: 'userName', groupRoles: DEFAULT_GROUP_ROLES } as const;

describe('the seed as SCIM Users', () => {
  it.each(['userName', 'externalId'] as const)(
    'reads every seed principal back from its User (id under %s), all but the roles and groups',
    (idAttribute) => {
      for (const principal of seed.principals) {
        const resource = normaliseUser(scimUserOf(principal, idAttribute));
        const { roles: _roles, groups: _groups, ...rest } = principal;

        expect(principalIdOf(resource, idAttribute)).toBe(principal.id);
        expect({ id: principal.id, ...principalFieldsOf(resource, 'NHSE') }).toEqual({
          clearance: null,
          slackUserId: null,
          ...rest,
        });
      }
    },
  );

  it('puts the userName under the email when externalId is the id', () => {
    const user = scimUserOf(seed.principals[0] as Principal, 'externalId');
    expect(user).toMatchObject({ userName: 'dir-ada@nhse.example', externalId: 'dir-ada' });
  });

  it('gives each held role a Group by the mapping, each named group its members, and refuses a role no group maps to', () => {
    expect(scimGroupsOf(seed.principals, DEFAULT_GROUP_ROLES, 'X')).toEqual([
      { displayName: 'Cancer Registry IAOs', members: ['exd-cleo', 'mgr-dan'] },
      { displayName: 'Keyholder Access Admins', members: ['adm-eve'] },
      { displayName: 'Keyholder Auditors', members: ['aud-fay'] },
    ]);
    expect(() =>
      scimGroupsOf(seed.principals, { Admins: 'access-admin' }, 'KEYHOLDER_SCIM_GROUP_ROLES'),
    ).toThrow(
      'the seed gives aud-fay the role auditor, but KEYHOLDER_SCIM_GROUP_ROLES maps no SCIM group to it',
    );
  });
});

/** A SCIM service that knows some Users and Groups already (a persisted restart) and records every call. */
function fakeScim(existing: { users?: Record<string, number>; groups?: string[]; changes?: string[] } = {}) {
  const calls: ScimCall[] = [];
  const versions = { ...existing.users };
  const invoke = async (call: ScimCall): Promise<ScimAnswer> => {
    calls.push(call);
    const body = call.body as Record<string, any> | undefined;
    if (call.resource === 'Groups') {
      if (call.method === 'POST')
        return existing.groups?.includes(body?.displayName)
          ? { status: 409, body: { detail: 'exists' } }
          : { status: 201, body };
      if (call.method === 'GET') return { status: 200, body: { Resources: [{ id: 'g-1' }] } };
      return { status: 200, body };
    }
    const id = String(call.id ?? body?.userName);
    if (call.method === 'POST') {
      if (versions[id] === undefined) return { status: 201, body: { id, meta: { version: 'W/"1"' } } };
      return { status: 409, body: { detail: 'exists' } };
    }
    if (call.method === 'GET') return { status: 200, body: { id, meta: { version: `W/"${versions[id]}"` } } };
    if (existing.changes?.includes(id)) versions[id] = (versions[id] ?? 0) + 1;
    return { status: 200, body: { id, meta: { version: `W/"${versions[id]}"` } } };
  };
  return { calls, invoke };
}

describe('provisionThroughScim', () => {
  it('creates the Groups first, then every User, on a fresh directory', async () => {
    const scim = fakeScim();

    const report = await provisionThroughScim(scim.invoke, seed.principals, options);

    expect(report).toMatchObject({ users: 16, created: 16, updated: 0, unchanged: 0, groups: 3 });
    expect(report.ms).toBeGreaterThanOrEqual(0);
    expect(scim.calls.slice(0, 3).map((call) => `${call.method} ${call.resource}`)).toEqual([
      'POST Groups',
      'POST Groups',
      'POST Groups',
    ]);
    expect(scim.calls.slice(3).every((call) => call.method === 'POST' && call.resource === 'Users')).toBe(
      true,
    );
  });

  it('replaces what exists on a restart (409 -> PUT with If-Match), counting what changed', async () => {
    const users = Object.fromEntries(seed.principals.map((principal) => [principal.id, 3]));
    const scim = fakeScim({
      users,
      groups: ['Cancer Registry IAOs', 'Keyholder Access Admins', 'Keyholder Auditors'],
      changes: ['ext-gus'],
    });

    const report = await provisionThroughScim(scim.invoke, seed.principals, options);

    expect(report).toMatchObject({ users: 16, created: 0, updated: 1, unchanged: 15, groups: 3 });
    const puts = scim.calls.filter((call) => call.method === 'PUT' && call.resource === 'Users');
    expect(puts).toHaveLength(16);
    expect(puts[0]).toMatchObject({ ifMatch: 'W/"3"' });
    expect(scim.calls.filter((call) => call.method === 'PUT' && call.resource === 'Groups')).toHaveLength(3);
  });

  it('fails naming the call when the SCIM function refuses a User', async () => {
    const invoke = async (call: ScimCall): Promise<ScimAnswer> =>
      call.resource === 'Users'
        ? { status: 400, body: { detail: 'userName is required' } }
        : { status: 201, body: {} };

    await expect(provisionThroughScim(invoke, seed.principals.slice(0, 1), options)).rejects.toThrow(
      'seeding the directory through SCIM: POST /Users dir-ada answered 400: userName is required',
    );
  });
});
