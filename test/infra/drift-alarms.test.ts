// Infrastructure assertions on the drift alarm: any open out-of-band access (the sweep's OutOfBandAccess metric,
// Maximum over every provider) alarms on the operations topic; a ledger-only policy cannot drift and gets none.
import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { resolvePolicy } from '../../lambdas/core/policy.ts';
import { DriftAlarms } from '../../lib/drift-alarms.ts';

const withPlatform = resolvePolicy({
  providers: { 'admin-console': { type: 'webhook', url: 'https://platform.example.org/assignments' } },
  scopeProviders: { admin: 'admin-console' },
});

describe('the drift alarm', () => {
  it('alarms on any open out-of-band access, one sweep period at a time, on the alarm topic', () => {
    // Prepare
    const stack = new Stack();

    // Act
    new DriftAlarms(stack, 'DriftAlarms', { policy: withPlatform, sweepRate: Duration.minutes(30) });

    // Assess
    Template.fromStack(stack).hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'Keyholder',
      MetricName: 'OutOfBandAccess',
      Dimensions: [{ Name: 'Function', Value: 'sweep' }],
      Statistic: 'Maximum',
      Period: 1800,
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      EvaluationPeriods: 1,
      TreatMissingData: 'notBreaching',
      AlarmActions: [{ Ref: Match.stringLikeRegexp('^OperationsAlarmTopic') }],
    });
  });

  it('is not made for a ledger-only policy', () => {
    // Prepare
    const stack = new Stack();

    // Act
    const alarms = new DriftAlarms(stack, 'DriftAlarms', { policy: resolvePolicy({}) });

    // Assess
    expect(alarms.outOfBandAccess).toBeUndefined();
    Template.fromStack(stack).resourceCountIs('AWS::CloudWatch::Alarm', 0);
  });
});
