// Infrastructure of tamper evidence and transparency: the Object Lock anchor bucket, the hourly and daily
// schedules, the functions' S3 rights (put only, never delete), and the audit table's durability.
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { ENV } from '../../lambdas/commons/config.ts';
import { AuditAnchors } from '../../lib/audit-anchors.ts';
import { AUDIT_FORBIDDEN_ACTIONS } from '../../lib/keyholder-function.ts';
import { KeyholderTables } from '../../lib/tables.ts';
import { TransparencyReports } from '../../lib/transparency.ts';

let template: Template;

beforeAll(() => {
  // Prepare: the constructs on their own, as the stack composes them; bundling skipped (template only)
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'AnchorsTest', { env: { account: '123456789012', region: 'eu-west-2' } });
  const tables = new KeyholderTables(stack, 'Tables');
  const resources = {
    stateTable: tables.stateTable,
    auditTable: tables.auditTable,
    encryptionKey: tables.encryptionKey,
  };
  const anchors = new AuditAnchors(stack, 'AuditAnchors', { resources, environment: {} });
  new TransparencyReports(stack, 'Transparency', {
    resources: { ...resources, anchorBucket: anchors.bucket },
    environment: {},
  });
  // Act
  template = Template.fromStack(stack);
});

type Statement = { Effect: string; Action: string | string[]; Resource: unknown; Sid?: string };
const statements = (): Statement[] =>
  Object.values(template.findResources('AWS::IAM::ManagedPolicy')).flatMap(
    (policy) => policy.Properties.PolicyDocument.Statement as Statement[],
  );
const actions = (statement: Statement) =>
  Array.isArray(statement.Action) ? statement.Action : [statement.Action];

describe('anchor bucket', () => {
  it('has Object Lock in compliance mode, versioning, encryption, no public access, and is retained', () => {
    template.hasResource('AWS::S3::Bucket', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({
        ObjectLockEnabled: true,
        ObjectLockConfiguration: {
          ObjectLockEnabled: 'Enabled',
          Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: 2557 } },
        },
        VersioningConfiguration: { Status: 'Enabled' },
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms' } }],
        },
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
      }),
    });
  });

  it('refuses plain HTTP on every bucket', () => {
    const policies = template.findResources('AWS::S3::BucketPolicy');
    // The anchor and snapshot buckets, and the server access log bucket both log to.
    expect(Object.keys(policies)).toHaveLength(3);
    for (const policy of Object.values(policies)) {
      expect(policy.Properties.PolicyDocument.Statement).toContainEqual(
        expect.objectContaining({
          Effect: 'Deny',
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        }),
      );
    }
  });
});

describe('schedules and functions', () => {
  it('anchors every hour and publishes the report every day, through EventBridge Scheduler', () => {
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'rate(1 hour)',
      Target: Match.objectLike({ RetryPolicy: Match.objectLike({ MaximumRetryAttempts: 3 }) }),
    });
    template.hasResourceProperties('AWS::Scheduler::Schedule', { ScheduleExpression: 'rate(1 day)' });
  });

  it('gives the functions their bucket names and only put and read rights on S3, never delete', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ [ENV.anchorBucket]: Match.anyValue() }) },
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ [ENV.transparencyBucket]: Match.anyValue() }) },
    });
    const s3 = statements()
      .filter((statement) => statement.Effect === 'Allow')
      .flatMap(actions)
      .filter((action) => action.startsWith('s3:'));
    expect([...new Set(s3)].sort()).toEqual(['s3:GetObject', 's3:ListBucket', 's3:PutObject']);
  });

  it('denies every function updating or deleting audit items, and keeps the audit table recoverable', () => {
    const denies = statements().filter((statement) => statement.Sid === 'AuditTrailIsAppendOnly');
    expect(denies).toHaveLength(2);
    for (const deny of denies) expect(actions(deny)).toEqual(AUDIT_FORBIDDEN_ACTIONS);
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [
        { AttributeName: 'stream', KeyType: 'HASH' },
        { AttributeName: 'seq', KeyType: 'RANGE' },
      ],
      DeletionProtectionEnabled: true,
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
    });
  });
});
