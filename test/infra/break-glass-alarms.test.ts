// Infrastructure assertions on the break-glass alarms: an invocation and a failed review each alarm on the
// operations topic within a minute, and the stack always has both (a policy change can switch break-glass on).
import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { BreakGlassAlarms } from '../../lib/break-glass-alarms.ts';
import { buildKeyholderApp } from '../../lib/keyholder-app.ts';

describe('the break-glass alarms', () => {
  it.each(['BreakGlassInvoked', 'BreakGlassReviewFailed'])(
    'alarms on any %s in a minute, on the alarm topic',
    (metric) => {
      // Prepare
      const stack = new Stack();

      // Act
      new BreakGlassAlarms(stack, 'BreakGlassAlarms');

      // Assess
      Template.fromStack(stack).hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'Keyholder',
        MetricName: metric,
        Statistic: 'Sum',
        Period: 60,
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
        EvaluationPeriods: 1,
        TreatMissingData: 'notBreaching',
        AlarmActions: [{ Ref: Match.stringLikeRegexp('^OperationsAlarmTopic') }],
      });
    },
  );

  it('are in the Keyholder stack with the default policy (break-glass off)', () => {
    // Prepare
    const { stack } = buildKeyholderApp(
      {
        'aws:cdk:bundling-stacks': [],
        'keyholder:jwtIssuer': 'https://login.example.org/',
        'keyholder:jwtAudience': 'keyholder',
        'keyholder:mailFrom': 'keyholder@example.org',
      },
      { validation: false },
    );

    // Act
    const alarms = Template.fromStack(stack).findResources('AWS::CloudWatch::Alarm', {
      Properties: { MetricName: Match.stringLikeRegexp('^BreakGlass') },
    });

    // Assess
    expect(Object.keys(alarms)).toHaveLength(2);
  });
});
