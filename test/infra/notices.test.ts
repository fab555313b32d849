// Infrastructure assertions on the notice queue (lib/notices.ts): an encrypted, TLS-only SQS queue with a
// dead-letter queue whose depth alarms to the alarm topic, the notifier reading it with batch item failures, and
// exactly the functions whose routes need `notices:enqueue` allowed to send to it.
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { INBOUND_MAIL_HANDLER, ROUTES, SWEEP_HANDLER, WORKFLOW_TASKS } from '../../lambdas/routes.ts';
import { buildKeyholderApp } from '../../lib/keyholder-app.ts';
import { NOTICE_QUEUE_SETTINGS } from '../../lib/notices.ts';

const CONTEXT = {
  'aws:cdk:bundling-stacks': [],
  'keyholder:jwtIssuer': 'https://login.example.org/',
  'keyholder:jwtAudience': 'keyholder',
  'keyholder:mailFrom': 'keyholder@example.org',
};

type Statement = { Effect: string; Action: string | string[]; Resource: unknown };

let template: Template;
beforeAll(() => {
  const { stack } = buildKeyholderApp(CONTEXT, { validation: false });
  template = Template.fromStack(stack);
});

/** Logical ids of the functions whose managed policies allow sqs:SendMessage on the notice queue. */
function sendersOf(): string[] {
  const policies = template.findResources('AWS::IAM::ManagedPolicy');
  const senders = Object.entries(policies).filter(([, policy]) =>
    (policy.Properties.PolicyDocument.Statement as Statement[]).some(
      (statement) =>
        statement.Effect === 'Allow' &&
        [statement.Action].flat().includes('sqs:SendMessage') &&
        JSON.stringify(statement.Resource).includes('NoticesQueue'),
    ),
  );
  return senders.map(([id]) => id.replace(/Role.*$/, '')).sort();
}

/** PascalCase of a route or handler name, as the function's logical id carries it. */
const pascal = (name: string) => name.replace(/(^|-)(\w)/g, (_, __, letter: string) => letter.toUpperCase());

describe('the notice queue', () => {
  it('is SQS-encrypted, TLS-only, and dead-letters after the configured receives', () => {
    template.hasResourceProperties('AWS::SQS::Queue', {
      SqsManagedSseEnabled: true,
      VisibilityTimeout: NOTICE_QUEUE_SETTINGS.visibilityTimeout.toSeconds(),
      RedrivePolicy: {
        deadLetterTargetArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^NoticesDeadLetters'), 'Arn'] },
        maxReceiveCount: NOTICE_QUEUE_SETTINGS.maxReceiveCount,
      },
    });
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: Match.stringLikeRegexp('^NoticesQueue') }],
      PolicyDocument: Match.objectLike({
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      }),
    });
  });

  it('alarms to the alarm topic when its dead-letter queue holds a message', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [
        {
          Name: 'QueueName',
          Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('^NoticesDeadLetters'), 'QueueName'] },
        },
      ],
      AlarmActions: [{ Ref: Match.stringLikeRegexp('AlarmTopic') }],
    });
  });

  it('feeds the notifier in batches that report item failures', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^NoticesQueue'), 'Arn'] },
      FunctionName: { Ref: Match.stringLikeRegexp('^NoticesNotifierFunction') },
      BatchSize: NOTICE_QUEUE_SETTINGS.batchSize,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('notifier'),
      Runtime: 'nodejs24.x',
      Environment: { Variables: Match.objectLike({ KEYHOLDER_STATE_TABLE: Match.anyValue() }) },
    });
  });

  it('lets exactly the functions that commit notices and the sweep send to it, and tells them where it is', () => {
    // The needs in lambdas/routes.ts (inbound-reply too, but it exists only with a reply domain).
    const needing = [
      ...new Set(ROUTES.filter((route) => route.needs.includes('notices:enqueue')).map((r) => r.name)),
    ];
    const tasks = WORKFLOW_TASKS.filter((spec) => spec.needs.includes('notices:enqueue')).map((t) => t.name);
    const expected = [
      ...needing.map((name) => `Api${pascal(name)}Function`),
      ...tasks.map((name) => `Workflow${pascal(name)}Function`),
      'SweepSweepFunction',
    ].sort();

    const senders = sendersOf();

    expect(senders).toEqual(expected);
    expect(SWEEP_HANDLER.needs).toContain('notices:enqueue');
    expect(INBOUND_MAIL_HANDLER.needs).toContain('notices:enqueue');
    // Every function that commits a change owing notices (issue 17 §2), and no read-only one.
    expect(needing.sort()).toEqual([
      'approval-page',
      'cancel-request',
      'decide-request',
      'extend-request',
      'review-page',
      'review-request',
      'revoke-request',
      'scim',
      'slack-interactions',
      'update-principal',
    ]);
    expect(tasks.sort()).toEqual([
      'expire-grant',
      'grant-access',
      'record-timeout',
      'request-approval',
      'validate-request',
    ]);
    const functions = Object.values(template.findResources('AWS::Lambda::Function'));
    const withQueueUrl = functions.filter(
      (fn) => fn.Properties.Environment?.Variables?.KEYHOLDER_NOTICE_QUEUE_URL !== undefined,
    );
    expect(withQueueUrl).toHaveLength(senders.length);
  });
});
