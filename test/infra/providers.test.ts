// Infrastructure assertions on the access providers: the webhook signing secret and the Identity Center actions are
// granted only to the functions that grant, revoke or list (`providers:call`), the DeprovisioningFailed alarm
// watches removals that failed, and a ledger-only policy adds none of it.
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildKeyholderApp } from '../../lib/keyholder-app.ts';
import { secretsBesidesScim } from '../support/cdk-handlers.ts';

const CONTEXT = {
  'aws:cdk:bundling-stacks': [],
  'keyholder:jwtIssuer': 'https://login.example.org/',
  'keyholder:jwtAudience': 'keyholder',
  'keyholder:mailFrom': 'keyholder@example.org',
};

const INSTANCE = 'arn:aws:sso:::instance/ssoins-1234567890abcdef';
const ADMIN_SET = 'arn:aws:sso:::permissionSet/ssoins-1234567890abcdef/ps-1234567890abcdef';

const PROVIDER_POLICY = {
  providers: {
    'platform-admin-api': { type: 'webhook', url: 'https://platform.example/admin/assignments' },
    'identity-center': {
      type: 'aws-identity-center',
      instanceArn: INSTANCE,
      identityStoreId: 'd-1234567890',
      accountId: '123456789012',
      permissionSets: { 'dataset:*': ADMIN_SET },
    },
  },
  scopeProviders: { admin: 'platform-admin-api', 'dataset:*': 'identity-center' },
};

/** The functions that grant or end access: their role policies are the only ones that may reach a platform. */
const CALLERS = [
  'ApiRevokeRequestFunction',
  'ApiReviewPageFunction',
  // POST /requests/{id}/reviews: a Revoke on review ends access on the platform, as the review link does.
  'ApiReviewRequestFunction',
  // SCIM: a leaver deactivated by the identity provider loses every grant on the platform in the same call.
  'ApiScimFunction',
  'ApiSlackInteractionsFunction',
  'ApiUpdatePrincipalFunction',
  'WorkflowGrantAccessFunction',
  'WorkflowExpireGrantFunction',
  'SweepSweepFunction',
];

function synthesize(policy?: unknown): Template {
  const context = policy ? { ...CONTEXT, 'keyholder:policy': policy } : CONTEXT;
  return Template.fromStack(buildKeyholderApp(context, { validation: false }).stack);
}

/** Role policies (by logical id) whose statements allow any of `actions`. */
function policiesAllowing(template: Template, actions: readonly string[]): string[] {
  const found: string[] = [];
  for (const type of ['AWS::IAM::ManagedPolicy', 'AWS::IAM::Policy']) {
    for (const [id, resource] of Object.entries(template.findResources(type))) {
      const statements = resource.Properties.PolicyDocument.Statement as {
        Effect: string;
        Action: string | string[];
      }[];
      const allowed = statements
        .filter((statement) => statement.Effect === 'Allow')
        .flatMap((statement) => [statement.Action].flat());
      if (actions.some((action) => allowed.includes(action))) found.push(id);
    }
  }
  return found.sort();
}

function ownersOf(policyIds: readonly string[]): string[] {
  return [
    ...new Set(policyIds.map((id) => CALLERS.find((caller) => id.startsWith(caller)) ?? `other:${id}`)),
  ].sort();
}

describe('access providers in the stack', () => {
  let template: Template;
  beforeAll(() => {
    template = synthesize(PROVIDER_POLICY);
  });

  it('keeps the webhook signing secrets in one encrypted secret, readable only by the functions that call providers', () => {
    // Assess
    expect(secretsBesidesScim(template)).toHaveLength(1);
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      Description: Match.stringLikeRegexp('platform-admin-api'),
      KmsKeyId: Match.anyValue(),
      GenerateSecretString: Match.objectLike({ GenerateStringKey: 'platform-admin-api' }),
    });
    expect(ownersOf(policiesAllowing(template, ['secretsmanager:GetSecretValue']))).toEqual(
      [...CALLERS].sort(),
    );
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: 'Keyholder workflow step Grant',
      Environment: {
        Variables: Match.objectLike({ KEYHOLDER_PROVIDER_SECRETS_ID: { Ref: Match.anyValue() } }),
      },
    });
  });

  it('grants Identity Center assignments on the configured instance, permission sets and account only', () => {
    // Assess
    expect(ownersOf(policiesAllowing(template, ['sso:CreateAccountAssignment']))).toEqual(
      [...CALLERS].sort(),
    );
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Allow',
            Action: [
              'sso:CreateAccountAssignment',
              'sso:DeleteAccountAssignment',
              'sso:ListAccountAssignments',
            ],
            Resource: [
              INSTANCE,
              ADMIN_SET,
              { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':sso:::account/123456789012']] },
            ],
          }),
          Match.objectLike({
            Effect: 'Allow',
            Action: ['identitystore:GetUserId', 'identitystore:DescribeUser'],
            Resource: Match.arrayWith([
              {
                'Fn::Join': [
                  '',
                  [
                    'arn:',
                    { Ref: 'AWS::Partition' },
                    ':identitystore::',
                    { Ref: 'AWS::AccountId' },
                    ':identitystore/d-1234567890',
                  ],
                ],
              },
            ]),
          }),
        ]),
      },
    });
  });

  it('alarms on the operations topic when a removal on a platform failed', () => {
    // Assess
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'Keyholder',
      MetricName: 'DeprovisioningFailed',
      Statistic: 'Sum',
      Period: 900,
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      EvaluationPeriods: 1,
      TreatMissingData: 'notBreaching',
      AlarmActions: [{ Ref: Match.stringLikeRegexp('^OperationsAlarmTopic') }],
    });
  });

  it('adds no secret, no platform permission and no alarm for a ledger-only policy', () => {
    // Act
    const ledgerOnly = synthesize();

    // Assess
    expect(secretsBesidesScim(ledgerOnly)).toEqual([]);
    expect(policiesAllowing(ledgerOnly, ['sso:CreateAccountAssignment', 'identitystore:GetUserId'])).toEqual(
      [],
    );
    expect(
      Object.values(ledgerOnly.findResources('AWS::CloudWatch::Alarm')).some(
        (alarm) => alarm.Properties.MetricName === 'DeprovisioningFailed',
      ),
    ).toBe(false);
  });
});
