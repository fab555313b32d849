// Infrastructure assertions on the scheduled sweep: an EventBridge Scheduler schedule at the context's rate invoking
// the sweep function, which may stop executions and mail but never scan or touch audit items.

import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildKeyholderApp } from '../../lib/keyholder-app.ts';
import { KeyholderSweep, sweepRateFrom } from '../../lib/sweep.ts';

const CONTEXT = {
  'aws:cdk:bundling-stacks': [],
  'keyholder:jwtIssuer': 'https://login.example.org/',
  'keyholder:jwtAudience': 'keyholder',
  'keyholder:mailFrom': 'keyholder@example.org',
};

function synthesize(extra: Record<string, unknown> = {}): Template {
  const { stack } = buildKeyholderApp({ ...CONTEXT, ...extra }, { validation: false });
  return Template.fromStack(stack);
}

describe('the sweep schedule', () => {
  let template: Template;
  beforeAll(() => {
    template = synthesize();
  });

  it('runs every 15 minutes by default and invokes the sweep function without retries', () => {
    // Assess
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'rate(15 minutes)',
      State: 'ENABLED',
      Target: Match.objectLike({
        Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^SweepSweepFunction'), 'Arn'] },
        RetryPolicy: Match.objectLike({ MaximumRetryAttempts: 0 }),
      }),
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('scheduled sweep'),
      Timeout: 300,
      Runtime: 'nodejs24.x',
    });
  });

  it('takes its rate from keyholder:sweepRate', () => {
    // Act
    const fiveMinutes = synthesize({ 'keyholder:sweepRate': 'PT5M' });

    // Assess
    fiveMinutes.hasResourceProperties('AWS::Scheduler::Schedule', { ScheduleExpression: 'rate(5 minutes)' });
  });

  it('lets the sweep stop executions, but never scan the state table or change audit items', () => {
    // Prepare
    const policies = Object.entries(template.findResources('AWS::IAM::ManagedPolicy')).filter(([id]) =>
      id.startsWith('SweepSweepFunction'),
    );
    const statements = policies.flatMap(
      ([, policy]) =>
        policy.Properties.PolicyDocument.Statement as { Effect: string; Action: string | string[] }[],
    );
    const allowed = statements
      .filter((statement) => statement.Effect === 'Allow')
      .flatMap((statement) => [statement.Action].flat());
    const denied = statements
      .filter((statement) => statement.Effect === 'Deny')
      .flatMap((statement) => [statement.Action].flat());

    // Assess
    expect(allowed).toEqual(
      expect.arrayContaining(['states:StopExecution', 'dynamodb:Query', 'sqs:SendMessage']),
    );
    // What it ends, opens and reminds of owes notices the notifier sends: the sweep sends no mail itself.
    expect(allowed).not.toContain('ses:SendEmail');
    expect(allowed).not.toContain('dynamodb:Scan');
    expect(denied).toEqual(expect.arrayContaining(['dynamodb:UpdateItem', 'dynamodb:DeleteItem']));
  });

  it('refuses a rate the Scheduler cannot run', () => {
    // Assess
    expect(() => sweepRateFrom('PT30S', 'keyholder:sweepRate')).toThrow(/whole minutes/);
    expect(() => sweepRateFrom('every hour', 'keyholder:sweepRate')).toThrow(/keyholder:sweepRate/);
    expect(sweepRateFrom('PT1H30M', 'keyholder:sweepRate')?.toMinutes()).toBe(90);
    expect(sweepRateFrom(undefined, 'keyholder:sweepRate')).toBeUndefined();
    expect(
      () =>
        new KeyholderSweep(new Stack(), 'Sweep', {
          environment: {},
          resources: {} as never,
          rate: Duration.seconds(90),
        }),
    ).toThrow(/whole number of minutes/);
  });
});
