// The drift alarm: access found on a platform without a Keyholder grant (the sweep's OutOfBandAccess metric) is
// the very thing the organisation promised to know about, so any open item alarms until it is gone or removed.
import { Duration } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, Metric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { Construct } from 'constructs';
import { METRICS_NAMESPACE, OUT_OF_BAND_ACCESS_METRIC } from '../lambdas/commons/metrics.ts';
import type { Policy } from '../lambdas/core/policy.ts';
import { KeyholderOperations } from './operations.ts';

export interface DriftAlarmsProps {
  /** Only a policy with a provider other than the ledger can drift; otherwise there is nothing to alarm on. */
  readonly policy: Policy;
  /** How often the sweep publishes the metric; the alarm looks at one such period. @default 15 minutes */
  readonly sweepRate?: Duration | undefined;
}

export class DriftAlarms extends Construct {
  readonly outOfBandAccess: Alarm | undefined;

  constructor(scope: Construct, id: string, props: DriftAlarmsProps) {
    super(scope, id);
    const platforms = Object.values(props.policy.providers).some((config) => config.type !== 'ledger');
    if (!platforms) return;
    // The sweep publishes every provider's count under the function dimension too: the Maximum over them is
    // above zero while any provider has open out-of-band access, whatever providers the policy names.
    const metric = new Metric({
      namespace: METRICS_NAMESPACE,
      metricName: OUT_OF_BAND_ACCESS_METRIC,
      dimensionsMap: { Function: 'sweep' },
      statistic: 'Maximum',
      period: props.sweepRate ?? Duration.minutes(15),
    });
    this.outOfBandAccess = new Alarm(this, 'OutOfBandAccessAlarm', {
      metric,
      alarmDescription:
        'Access exists on a platform without a Keyholder grant: see GET /access (outOfBand) and the DRIFT# audit streams',
      threshold: 0,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      evaluationPeriods: 1,
      // A sweep that could not list a platform publishes nothing for it; its failure is logged and alarmed apart.
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
    this.outOfBandAccess.addAlarmAction(new SnsAction(KeyholderOperations.of(this).alarmTopic));
  }
}
