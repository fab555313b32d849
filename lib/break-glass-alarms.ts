// The break-glass alarms: access taken without approval, and a break-glass review that failed (not justified, or
// not reviewed in time), each alarm on the operations topic the moment one is published. Made whatever the deployed
// policy says, since a policy change can switch break-glass on without a deployment.
import { Duration } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, Metric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { Construct } from 'constructs';
import {
  BREAK_GLASS_INVOKED_METRIC,
  BREAK_GLASS_REVIEW_FAILED_METRIC,
  METRICS_NAMESPACE,
} from '../lambdas/commons/metrics.ts';
import { KeyholderOperations } from './operations.ts';

const ALARMS = [
  [
    BREAK_GLASS_INVOKED_METRIC,
    'Break-glass access was taken without approval: the directors were mailed URGENT',
  ],
  [
    BREAK_GLASS_REVIEW_FAILED_METRIC,
    'A break-glass grant was found not justified or went unreviewed: its holder lost break-glass (GET /principals)',
  ],
] as const;

export class BreakGlassAlarms extends Construct {
  readonly alarms: readonly Alarm[];

  constructor(scope: Construct, id: string) {
    super(scope, id);
    const topic = KeyholderOperations.of(this).alarmTopic;
    this.alarms = ALARMS.map(([metricName, description]) => {
      const alarm = new Alarm(this, `${metricName}Alarm`, {
        metric: new Metric({
          namespace: METRICS_NAMESPACE,
          metricName,
          statistic: 'Sum',
          period: Duration.minutes(1),
        }),
        alarmDescription: description,
        threshold: 0,
        comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
      alarm.addAlarmAction(new SnsAction(topic));
      return alarm;
    });
  }
}
