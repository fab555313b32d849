// Unit tests for SCIM PATCH (RFC 7644 §3.5.2): paths must name an attribute of the resource type's schemas (else
// 400 invalidPath, or noTarget for a value filter nothing matches), while the habits of Entra ID and Okta still work.
import { describe, expect, it } from 'vitest';
import { ScimError } from '../../../lambdas/core/scim/errors.ts';
import {
  applyPatch,
  GROUP_PATCH_SCHEMA,
  patchOperations,
  USER_PATCH_SCHEMA,
} from '../../../lambdas/core/scim/patch.ts';
import { ENTERPRISE_SCHEMA, KEYHOLDER_SCHEMA, USER_SCHEMA } from '../../../lambdas/core/scim/user.ts';
import { thrownBy } from '../../support/fixtures.ts';

const PATCH_OP = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

const user = () => ({
  userName: 'kim@contractor.example',
  displayName: 'Kim Contractor',
  emails: [{ value: 'kim@contractor.example', type: 'work', primary: true }],
  active: true,
  [ENTERPRISE_SCHEMA]: { organization: 'Contractor Ltd' },
  [KEYHOLDER_SCHEMA]: { grade: 'contractor' },
});

const patchUser = (...operations: unknown[]) =>
  applyPatch(user(), patchOperations({ schemas: [PATCH_OP], Operations: operations }), USER_PATCH_SCHEMA);

describe('applyPatch: paths Keyholder does not know', () => {
  it.each<[string, unknown]>([
    ['constructor', { op: 'replace', path: 'constructor', value: 1 }],
    ['an attribute no schema has', { op: 'replace', path: 'nickName2', value: 'Kimmy' }],
    ['toString', { op: 'add', path: 'toString', value: 'x' }],
    ['hasOwnProperty, removed', { op: 'remove', path: 'hasOwnProperty' }],
    ['a sub-attribute name does not have', { op: 'replace', path: 'name.nickName', value: 'x' }],
    ['a sub-attribute of a simple attribute', { op: 'replace', path: 'active.value', value: true }],
    ['a sub-attribute emails does not have', { op: 'replace', path: 'emails.constructor', value: 'x' }],
    [
      'an unknown sub-attribute after a value filter',
      { op: 'replace', path: 'emails[type eq "work"].address', value: 'x' },
    ],
    [
      'a value filter on an unknown attribute',
      { op: 'replace', path: 'emails[kind eq "work"].value', value: 'x' },
    ],
    [
      'a value filter on a simple attribute',
      { op: 'replace', path: 'displayName[value eq "x"]', value: 'x' },
    ],
    [
      'an attribute of an unknown extension',
      { op: 'add', path: 'urn:example:custom:2.0:User:costCentre', value: 'x' },
    ],
    [
      'an unknown attribute of the enterprise extension',
      { op: 'add', path: `${ENTERPRISE_SCHEMA}:badge`, value: 'x' },
    ],
    [
      'an unknown attribute of the Keyholder extension',
      { op: 'replace', path: `${KEYHOLDER_SCHEMA}:clearance`, value: 'DV' },
    ],
    [
      'an unknown attribute under the core URN',
      { op: 'replace', path: `${USER_SCHEMA}:nickName2`, value: 'x' },
    ],
    ['an unknown key of a path-less value', { op: 'replace', value: { active: false, constructor: 1 } }],
    [
      'an unknown attribute of an extension in a path-less value',
      { op: 'Add', value: { [ENTERPRISE_SCHEMA]: { badge: 'x' } } },
    ],
    ['a Group attribute on a User', { op: 'add', path: 'members', value: [{ value: 'x' }] }],
  ])('refuses %s with 400 invalidPath', (_label, operation) => {
    // Act
    const error = thrownBy(() => patchUser(operation));

    // Assess
    expect(error).toBeInstanceOf(ScimError);
    expect(error).toMatchObject({ status: 400, scimType: 'invalidPath' });
  });

  it('refuses the whole PATCH when any one operation names an unknown path, before writing anything', () => {
    // Prepare
    const resource = user();

    // Act
    const error = thrownBy(() =>
      applyPatch(
        resource,
        [
          { op: 'replace', path: 'active', value: false },
          { op: 'replace', path: 'nickName2', value: 'x' },
        ],
        USER_PATCH_SCHEMA,
      ),
    );

    // Assess
    expect(error).toMatchObject({ scimType: 'invalidPath' });
    expect(resource.active).toBe(true);
  });

  it('answers noTarget for a value filter that matches nothing and cannot be created', () => {
    // Act
    const error = thrownBy(() =>
      patchUser({ op: 'replace', path: 'emails[type eq "home" or type eq "other"].value', value: 'a@b' }),
    );

    // Assess
    expect(error).toMatchObject({ status: 400, scimType: 'noTarget' });
  });

  it('refuses on a Group what only a User has', () => {
    // Act
    const error = thrownBy(() =>
      applyPatch(
        { displayName: 'Auditors', members: [] },
        [{ op: 'replace', path: 'active', value: false }],
        GROUP_PATCH_SCHEMA,
      ),
    );

    // Assess
    expect(error).toMatchObject({ status: 400, scimType: 'invalidPath' });
  });
});

describe('applyPatch: what real clients send still works', () => {
  it("applies Entra ID's capitalised ops, a value-filter path, and an enterprise URN path", () => {
    // Act
    const patched = patchUser(
      { op: 'Replace', path: 'displayName', value: 'Kim C. Contractor' },
      { op: 'Replace', path: 'emails[type eq "work"].value', value: 'kim.c@contractor.example' },
      { op: 'Add', path: `${ENTERPRISE_SCHEMA}:employeeNumber`, value: 'E124' },
      { op: 'Replace', path: 'active', value: 'False' },
    );

    // Assess
    expect(patched).toMatchObject({
      displayName: 'Kim C. Contractor',
      emails: [{ value: 'kim.c@contractor.example', type: 'work', primary: true }],
      active: 'False',
      [ENTERPRISE_SCHEMA]: { organization: 'Contractor Ltd', employeeNumber: 'E124' },
    });
  });

  it('creates the item a value filter names when none matches yet (Entra ID on a User without that email)', () => {
    // Act
    const patched = patchUser({ op: 'Add', path: 'emails[type eq "home"].value', value: 'kim@home.example' });

    // Assess
    expect(patched.emails).toEqual([
      { value: 'kim@contractor.example', type: 'work', primary: true },
      { type: 'home', value: 'kim@home.example' },
    ]);
  });

  it('takes attribute names in any case, the core URN as a prefix, and the Keyholder extension', () => {
    // Act
    const patched = patchUser(
      { op: 'replace', path: 'DISPLAYNAME', value: 'Kim' },
      { op: 'replace', path: `${USER_SCHEMA}:title`, value: 'Engineer' },
      { op: 'replace', path: `${KEYHOLDER_SCHEMA.toLowerCase()}:ClearanceLevel`, value: 'SC' },
      { op: 'replace', path: `${ENTERPRISE_SCHEMA}:manager.value`, value: 'dir-ada' },
    );

    // Assess
    expect(patched).toMatchObject({
      displayName: 'Kim',
      title: 'Engineer',
      [KEYHOLDER_SCHEMA]: { grade: 'contractor', ClearanceLevel: 'SC' },
      [ENTERPRISE_SCHEMA]: { manager: { value: 'dir-ada' } },
    });
  });

  it('applies a path-less replace whose value object names paths, extensions included (Okta, Entra ID)', () => {
    // Act
    const patched = patchUser({
      op: 'replace',
      value: {
        id: 'kim@contractor.example',
        active: false,
        'name.givenName': 'Kim',
        [ENTERPRISE_SCHEMA]: { department: 'Data' },
        [`${KEYHOLDER_SCHEMA}:grade`]: 'lead-contractor',
      },
    });

    // Assess
    expect(patched).toMatchObject({
      active: false,
      name: { givenName: 'Kim' },
      [ENTERPRISE_SCHEMA]: { organization: 'Contractor Ltd', department: 'Data' },
      [KEYHOLDER_SCHEMA]: { grade: 'lead-contractor' },
    });
  });

  it('accepts RFC 7643 attributes Keyholder does not keep (dropped later by the mapping)', () => {
    // Act
    const patched = patchUser(
      { op: 'Add', path: 'phoneNumbers[type eq "work"].value', value: '+44 20 7946 0000' },
      { op: 'Replace', path: 'preferredLanguage', value: 'en-GB' },
      { op: 'Add', path: 'addresses[type eq "work"].locality', value: 'Leeds' },
      { op: 'Replace', path: 'nickName', value: 'Kimmy' },
    );

    // Assess
    expect(patched).toMatchObject({ preferredLanguage: 'en-GB', nickName: 'Kimmy' });
  });

  it('takes an extension URN itself as the path, with an object value', () => {
    // Act
    const patched = patchUser({ op: 'add', path: ENTERPRISE_SCHEMA, value: { department: 'Data' } });
    const removed = patchUser({ op: 'remove', path: KEYHOLDER_SCHEMA });

    // Assess
    expect(patched[ENTERPRISE_SCHEMA]).toEqual({ organization: 'Contractor Ltd', department: 'Data' });
    expect(removed[KEYHOLDER_SCHEMA]).toBeUndefined();
  });

  it('adds, renames and removes Group members the way Entra ID and Okta do', () => {
    // Prepare
    const group = { schemas: [], id: 'g-1', displayName: 'Auditors', members: [{ value: 'aud-fay' }] };

    // Act
    const patched = applyPatch(
      group,
      [
        { op: 'add', path: 'members', value: [{ value: 'ext-kim' }] },
        { op: 'remove', path: 'members[value eq "aud-fay"]' },
        { op: 'replace', value: { id: 'g-1', displayName: 'Keyholder Auditors' } },
      ],
      GROUP_PATCH_SCHEMA,
    );

    // Assess
    expect(patched).toMatchObject({ displayName: 'Keyholder Auditors', members: [{ value: 'ext-kim' }] });
  });
});
