// Operational infrastructure: API throttling from context, deliberate function sizing, dead letters on every
// asynchronous path, encrypted logs with retention, and alarms that reach a topic.
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROUTES, WORKFLOW_TASKS } from '../../lambdas/routes.ts';
import { functionSizing } from '../../lib/function-sizing.ts';
import { buildKeyholderApp } from '../../lib/keyholder-app.ts';
import { withoutCdkHandlers } from '../support/cdk-handlers.ts';

const CONTEXT = {
  'aws:cdk:bundling-stacks': [],
  'keyholder:jwtIssuer': 'https://login.example.org/',
  'keyholder:jwtAudience': 'keyholder',
  'keyholder:mailFrom': 'keyholder@example.org',
  'keyholder:inboundMailDomain': 'replies.example.org',
  'keyholder:apiRateLimit': '20',
  'keyholder:apiBurstLimit': 40,
};

type Resource = { Type: string; Properties: Record<string, any> };
let template: Template;
let resources: Record<string, Resource>;

beforeAll(() => {
  // Prepare: one synth (with email replies on, so every asynchronous path exists)
  template = Template.fromStack(buildKeyholderApp(CONTEXT, { validation: false }).stack);
  resources = template.toJSON().Resources;
});

const functionsWhere = (description: RegExp) =>
  Object.values(resources).filter(
    (r) => r.Type === 'AWS::Lambda::Function' && description.test(r.Properties.Description ?? ''),
  );
const queueId = () => Object.keys(template.findResources('AWS::SQS::Queue'))[0] as string;

describe('API stage', () => {
  it('takes its throttle from context', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      DefaultRouteSettings: { ThrottlingRateLimit: 20, ThrottlingBurstLimit: 40 },
      AccessLogSettings: Match.objectLike({ DestinationArn: Match.anyValue() }),
    });
  });

  it('refuses a throttle that is not a positive number, naming the key', () => {
    expect(() => buildKeyholderApp({ ...CONTEXT, 'keyholder:apiRateLimit': 'fast' })).toThrow(
      /keyholder:apiRateLimit/,
    );
  });
});

describe('function sizing', () => {
  it('sizes every HTTP function from the table and reserves none (the stage throttle bounds them)', () => {
    const http = functionsWhere(/^Keyholder HTTP /);
    expect(http).toHaveLength(new Set(ROUTES.map((route) => route.name)).size);
    for (const fn of http) {
      const name = (fn.Properties.Description as string).replace('Keyholder HTTP ', '');
      const sizing = functionSizing('http', name);
      expect(fn.Properties, name).toMatchObject({
        MemorySize: sizing.memorySize,
        Timeout: sizing.timeout.toSeconds(),
      });
      expect(fn.Properties.ReservedConcurrentExecutions, name).toBeUndefined();
    }
    expect(functionsWhere(/HTTP verify-audit/)[0]?.Properties).toMatchObject({
      MemorySize: 1024,
      Timeout: 25,
    });
  });

  it('leaves the workflow tasks unreserved (Step Functions would be throttled) with a 2-minute timeout (providers poll)', () => {
    const tasks = functionsWhere(/^Keyholder workflow step /);
    expect(tasks).toHaveLength(WORKFLOW_TASKS.length);
    for (const fn of tasks) {
      expect(fn.Properties.Timeout).toBe(120);
      expect(fn.Properties.ReservedConcurrentExecutions).toBeUndefined();
    }
  });

  it('runs each scheduled function one at a time', () => {
    const scheduled = functionsWhere(/scheduled sweep|hourly audit anchor|daily transparency report/);
    expect(scheduled).toHaveLength(3);
    for (const fn of scheduled) expect(fn.Properties.ReservedConcurrentExecutions).toBe(1);
  });
});

describe('dead letters', () => {
  it('keeps encrypted, TLS-only queues: the dead letters, and the notice queue with its own (lib/notices.ts)', () => {
    template.resourceCountIs('AWS::SQS::Queue', 3);
    const queues = Object.values(template.findResources('AWS::SQS::Queue'));
    expect(queues.every((queue) => queue.Properties.SqsManagedSseEnabled === true)).toBe(true);
    template.resourceCountIs('AWS::SQS::QueuePolicy', 3);
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  it('gives the asynchronously invoked functions (scheduled, inbound mail) the queue, and no other', () => {
    const withQueue = Object.values(resources).filter(
      (r) => r.Type === 'AWS::Lambda::Function' && r.Properties.DeadLetterConfig,
    );
    expect(withQueue.map((fn) => fn.Properties.Description).sort()).toEqual(
      [
        ...functionsWhere(/scheduled sweep|hourly audit anchor|daily transparency report/),
        ...functionsWhere(/inbound email replies/),
      ]
        .map((fn) => fn.Properties.Description)
        .sort(),
    );
    for (const fn of withQueue) {
      expect(fn.Properties.DeadLetterConfig).toEqual({ TargetArn: { 'Fn::GetAtt': [queueId(), 'Arn'] } });
    }
  });

  it('gives every Scheduler target the queue, a retry policy and a maximum event age', () => {
    const schedules = Object.values(template.findResources('AWS::Scheduler::Schedule'));
    expect(schedules).toHaveLength(3);
    for (const schedule of schedules) {
      expect(schedule.Properties.Target).toMatchObject({
        DeadLetterConfig: { Arn: { 'Fn::GetAtt': [queueId(), 'Arn'] } },
        RetryPolicy: {
          MaximumRetryAttempts: expect.any(Number),
          MaximumEventAgeInSeconds: expect.any(Number),
        },
      });
    }
  });
});

describe('logs and alarms', () => {
  it('encrypts every log group with the operations key and keeps it a year', () => {
    const groups = Object.values(template.findResources('AWS::Logs::LogGroup'));
    expect(groups.length).toBeGreaterThan(WORKFLOW_TASKS.length + 2);
    for (const group of groups) {
      expect(group.Properties).toMatchObject({
        RetentionInDays: 365,
        KmsKeyId: { 'Fn::GetAtt': [expect.stringMatching(/^OperationsKey/), 'Arn'] },
      });
      expect(group.DeletionPolicy).toBe('Retain');
    }
  });

  it('alarms on any dead letter and on failed or timed-out executions, to the encrypted topic', () => {
    const [topicId] = Object.keys(template.findResources('AWS::SNS::Topic'));
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    for (const metric of ['ApproximateNumberOfMessagesVisible', 'ExecutionsFailed', 'ExecutionsTimedOut']) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: metric,
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
        AlarmActions: [{ Ref: topicId }],
      });
    }
  });

  it('logs every workflow transition without execution data and traces it', () => {
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: Match.objectLike({ Level: 'ALL', IncludeExecutionData: false }),
    });
    withoutCdkHandlers(template).allResourcesProperties('AWS::Lambda::Function', {
      TracingConfig: { Mode: 'Active' },
    });
  });

  it('attaches no AWS-managed policy to any function role (each writes only to its own log group)', () => {
    for (const [id, fn] of Object.entries(resources).filter(([, r]) => r.Type === 'AWS::Lambda::Function')) {
      const role = resources[fn.Properties.Role['Fn::GetAtt'][0]];
      expect(role?.Properties.ManagedPolicyArns, id).toBeUndefined();
    }
  });
});
