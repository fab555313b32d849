// SCIM provisioning at synth (issue 15): the SCIM function alone carries the id attribute and the group mapping,
// a bad keyholder:scimPrincipalId / keyholder:scimGroupRoles (or one that disagrees with the sign-in claim) fails
// the synth naming the key, and the clients' bearer secret is KMS-encrypted and readable by the SCIM function only.
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { ENV } from '../../lambdas/commons/config.ts';
import { DEFAULT_GROUP_ROLES } from '../../lambdas/core/scim/user.ts';
import { buildKeyholderApp } from '../../lib/keyholder-app.ts';
import { withoutCdkHandlers } from '../support/cdk-handlers.ts';

const CONTEXT = {
  'aws:cdk:bundling-stacks': [],
  'aws:cdk:disable-stack-trace': true,
  'keyholder:jwtIssuer': 'https://login.microsoftonline.com/00000000-0000-0000-0000-000000000000/v2.0',
  'keyholder:jwtAudience': 'api://keyholder',
  'keyholder:mailFrom': 'keyholder@example.org',
};

type Resource = { Type: string; Properties?: Record<string, any> };

const template = (context: Record<string, unknown> = {}) =>
  withoutCdkHandlers(
    Template.fromStack(buildKeyholderApp({ ...CONTEXT, ...context }, { validation: false }).stack),
  );

const functions = (t: Template) =>
  Object.entries(t.findResources('AWS::Lambda::Function') as Record<string, Resource>);

const scimFunction = (t: Template): [string, Resource] => {
  const found = functions(t).filter(([, fn]) => fn.Properties?.Description === 'Keyholder HTTP scim');
  expect(found).toHaveLength(1);
  return found[0] as [string, Resource];
};

const variables = (fn: Resource): Record<string, unknown> => fn.Properties?.Environment?.Variables ?? {};

describe('SCIM context', () => {
  it('gives the SCIM function userName and the default group mapping when nothing is set', () => {
    const [, fn] = scimFunction(template());

    expect(variables(fn)[ENV.scimPrincipalId]).toBe('userName');
    expect(JSON.parse(String(variables(fn)[ENV.scimGroupRoles]))).toEqual(DEFAULT_GROUP_ROLES);
  });

  it("hands Entra ID's settings to the SCIM function only: externalId with oid, the group mapping", () => {
    const groupRoles = { 'NHSE Keyholder Admins': 'access-admin', 'NHSE Audit': 'auditor' };
    const t = template({
      'keyholder:principalClaim': 'oid',
      'keyholder:scimPrincipalId': 'externalId',
      'keyholder:scimGroupRoles': JSON.stringify(groupRoles),
    });
    const [scimId, fn] = scimFunction(t);

    expect(variables(fn)[ENV.scimPrincipalId]).toBe('externalId');
    expect(JSON.parse(String(variables(fn)[ENV.scimGroupRoles]))).toEqual(groupRoles);
    for (const [id, other] of functions(t)) {
      if (id === scimId) continue;
      expect(variables(other), id).not.toHaveProperty(ENV.scimPrincipalId);
      expect(variables(other), id).not.toHaveProperty(ENV.scimGroupRoles);
    }
  });

  it('takes the group mapping as an object from cdk.json, and defaults to externalId with the oid claim', () => {
    const [, fn] = scimFunction(
      template({
        'keyholder:principalClaim': 'oid',
        'keyholder:scimGroupRoles': { 'Keyholder Auditors': 'auditor' },
      }),
    );

    expect(variables(fn)[ENV.scimPrincipalId]).toBe('externalId');
    expect(JSON.parse(String(variables(fn)[ENV.scimGroupRoles]))).toEqual({
      'Keyholder Auditors': 'auditor',
    });
  });

  it('refuses an unknown id attribute, naming the key and the choices', () => {
    expect(() => buildKeyholderApp({ ...CONTEXT, 'keyholder:scimPrincipalId': 'objectId' })).toThrow(
      /keyholder:scimPrincipalId" must be one of userName, externalId/,
    );
  });

  it('refuses an id attribute that disagrees with the principal claim, naming both keys', () => {
    expect(() =>
      buildKeyholderApp({
        ...CONTEXT,
        'keyholder:principalClaim': 'oid',
        'keyholder:scimPrincipalId': 'userName',
      }),
    ).toThrow(/keyholder:scimPrincipalId userName does not agree with keyholder:principalClaim oid/);
    expect(() =>
      buildKeyholderApp({
        ...CONTEXT,
        'keyholder:principalClaim': 'email',
        'keyholder:scimPrincipalId': 'externalId',
      }),
    ).toThrow(/keyholder:scimPrincipalId externalId does not agree with keyholder:principalClaim email/);
  });

  it.each([
    ['not JSON', 'admins=access-admin', /keyholder:scimGroupRoles" must be a JSON object/],
    ['a list', '["access-admin"]', /keyholder:scimGroupRoles" must be a JSON object/],
    [
      'an unknown role',
      '{"Admins":"superuser"}',
      /keyholder:scimGroupRoles": group "Admins" maps to "superuser"/,
    ],
    ['an empty group name', '{" ":"auditor"}', /keyholder:scimGroupRoles": a group display name/],
  ])('refuses a group mapping that is %s, naming the key', (_what, value, message) => {
    expect(() => buildKeyholderApp({ ...CONTEXT, 'keyholder:scimGroupRoles': value })).toThrow(message);
  });
});

describe('the SCIM clients bearer secret', () => {
  let t: Template;
  let secretId: string;
  let scimRole: string;
  beforeAll(() => {
    t = template();
    const secrets = Object.entries(t.findResources('AWS::SecretsManager::Secret') as Record<string, Resource>)
      .filter(([, secret]) => String(secret.Properties?.Description ?? '').startsWith('Keyholder SCIM'))
      .map(([id]) => id);
    expect(secrets).toHaveLength(1);
    secretId = secrets[0] as string;
    const role = scimFunction(t)[1].Properties?.Role as { 'Fn::GetAtt': [string, string] };
    scimRole = role['Fn::GetAtt'][0];
  });

  it('exists, encrypted with its own customer-managed KMS key that rotates', () => {
    const secret = t.toJSON().Resources[secretId] as Resource;
    const keyRef = secret.Properties?.KmsKeyId as { 'Fn::GetAtt': [string, string] };
    expect(keyRef).toBeDefined();
    const key = t.toJSON().Resources[keyRef['Fn::GetAtt'][0]] as Resource;
    expect(key.Type).toBe('AWS::KMS::Key');
    expect(key.Properties?.EnableKeyRotation).toBe(true);
  });

  /** The roles given `action` on `resourceId` by any policy, inline or managed (attached by Roles or ManagedPolicyArns). */
  const rolesAllowed = (action: RegExp, resourceId: string): string[] => {
    const resources = t.toJSON().Resources as Record<string, Resource>;
    const readers = new Set<string>();
    for (const [policyId, policy] of Object.entries(resources)) {
      if (policy.Type !== 'AWS::IAM::Policy' && policy.Type !== 'AWS::IAM::ManagedPolicy') continue;
      const statements = (policy.Properties?.PolicyDocument?.Statement ?? []) as Array<Record<string, any>>;
      const allows = statements.some(
        (statement) =>
          statement.Effect === 'Allow' &&
          [statement.Action].flat().some((name: string) => action.test(name)) &&
          [statement.Resource]
            .flat()
            .some((resource: unknown) => JSON.stringify(resource).includes(`"${resourceId}"`)),
      );
      if (!allows) continue;
      for (const role of policy.Properties?.Roles ?? []) readers.add(JSON.stringify(role));
      for (const [roleId, role] of Object.entries(resources)) {
        const attached = (role.Properties?.ManagedPolicyArns ?? []) as unknown[];
        if (role.Type === 'AWS::IAM::Role' && JSON.stringify(attached).includes(`"${policyId}"`))
          readers.add(JSON.stringify({ Ref: roleId }));
      }
    }
    return [...readers];
  };

  it('is readable (GetSecretValue) by the SCIM function role and no other', () => {
    expect(rolesAllowed(/^secretsmanager:(GetSecretValue|\*)$|^\*$/, secretId)).toEqual([
      JSON.stringify({ Ref: scimRole }),
    ]);
  });

  it("lets its key decrypt, through Secrets Manager, for the SCIM function's role and no other role", () => {
    const resources = t.toJSON().Resources as Record<string, Resource>;
    const keyRef = resources[secretId]?.Properties?.KmsKeyId as { 'Fn::GetAtt': [string, string] };
    const keyId = keyRef['Fn::GetAtt'][0];
    const statements = (resources[keyId]?.Properties?.KeyPolicy?.Statement ?? []) as Array<
      Record<string, any>
    >;
    const roles = statements
      .filter((statement) => [statement.Action].flat().includes('kms:Decrypt'))
      .map((statement) => statement.Principal?.AWS?.['Fn::GetAtt']?.[0])
      .filter(Boolean);
    expect(roles).toEqual([scimRole]);
  });

  it('names the secret to the SCIM function only', () => {
    const [scimId, fn] = scimFunction(t);
    expect(JSON.stringify(variables(fn)[ENV.scimSecretId])).toContain(secretId);
    for (const [id, other] of functions(t)) {
      if (id !== scimId) expect(variables(other), id).not.toHaveProperty(ENV.scimSecretId);
    }
  });
});
