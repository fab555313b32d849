// CloudWatch metrics as Embedded Metric Format log lines: one JSON line per sweep, no agent and no API call.

export const METRICS_NAMESPACE = 'Keyholder';

export interface SweepFigures {
  readonly at: string;
  readonly expired: readonly unknown[];
  readonly reviewOverdue: readonly unknown[];
  readonly clearanceLapsed: readonly unknown[];
  readonly principalInactive: readonly unknown[];
  readonly reviewsPrompted: readonly unknown[];
  readonly remindersSent: readonly unknown[];
  readonly seats: { readonly drift: number };
  readonly failures: readonly unknown[];
}

/** Seat counter drift is published on every sweep (0 included), so an alarm can watch it. */
export function sweepMetricsLine(report: SweepFigures): string {
  const values = {
    SeatCounterDrift: Math.abs(report.seats.drift),
    GrantsExpiredBySweep: report.expired.length,
    GrantsRevokedReviewOverdue: report.reviewOverdue.length,
    GrantsRevokedClearanceLapsed: report.clearanceLapsed.length,
    GrantsRevokedPrincipalInactive: report.principalInactive.length,
    ReviewsPrompted: report.reviewsPrompted.length,
    ExpiryRemindersSent: report.remindersSent.length,
    SweepFailures: report.failures.length,
  };
  return JSON.stringify({
    _aws: {
      Timestamp: Date.parse(report.at),
      CloudWatchMetrics: [
        {
          Namespace: METRICS_NAMESPACE,
          Dimensions: [['Function']],
          Metrics: Object.keys(values).map((name) => ({ Name: name, Unit: 'Count' })),
        },
      ],
    },
    Function: 'sweep',
    ...values,
  });
}

/** The metric the DeprovisioningFailed alarm watches (lib/provider-alarms.ts). */
export const DEPROVISIONING_FAILED_METRIC = 'DeprovisioningFailed';

/**
 * One failed removal of access on a platform. No dimensions, so one alarm covers every provider and function;
 * the provider rides along as a property for log queries.
 */
export function deprovisioningFailedMetricLine(at: string, provider: string): string {
  return JSON.stringify({
    _aws: {
      Timestamp: Date.parse(at),
      CloudWatchMetrics: [
        {
          Namespace: METRICS_NAMESPACE,
          Dimensions: [[]],
          Metrics: [{ Name: DEPROVISIONING_FAILED_METRIC, Unit: 'Count' }],
        },
      ],
    },
    Provider: provider,
    [DEPROVISIONING_FAILED_METRIC]: 1,
  });
}

/** The metric the OutOfBandAccess alarm watches (lib/drift-alarms.ts): open out-of-band items, per provider. */
export const OUT_OF_BAND_ACCESS_METRIC = 'OutOfBandAccess';

export interface DriftFigures {
  readonly at: string;
  readonly providers: readonly {
    readonly provider: string;
    readonly found: readonly unknown[];
    readonly removed: readonly unknown[];
    readonly gone: readonly unknown[];
    readonly reapplied: readonly unknown[];
    readonly open: number;
  }[];
  readonly failures: readonly { readonly provider: string }[];
}

/**
 * One EMF line per checked provider, under two dimension sets: by provider (to see where), and by function alone
 * (one alarm, on the Maximum, covers every provider whatever the policy names). Zeros are published too.
 */
export function driftMetricsLines(report: DriftFigures): string[] {
  return report.providers.map((checked) => {
    const values = {
      [OUT_OF_BAND_ACCESS_METRIC]: checked.open,
      OutOfBandAccessFound: checked.found.length,
      OutOfBandAccessRemoved: checked.removed.length,
      OutOfBandAccessGone: checked.gone.length,
      GrantsReapplied: checked.reapplied.length,
      DriftFailures: report.failures.filter((failure) => failure.provider === checked.provider).length,
    };
    return JSON.stringify({
      _aws: {
        Timestamp: Date.parse(report.at),
        CloudWatchMetrics: [
          {
            Namespace: METRICS_NAMESPACE,
            Dimensions: [['Function', 'Provider'], ['Function']],
            Metrics: Object.keys(values).map((name) => ({ Name: name, Unit: 'Count' })),
          },
        ],
      },
      Function: 'sweep',
      Provider: checked.provider,
      ...values,
    });
  });
}

/** Break-glass access started (the BreakGlassInvoked alarm, lib/break-glass-alarms.ts). */
export const BREAK_GLASS_INVOKED_METRIC = 'BreakGlassInvoked';
/** A break-glass review found it not justified, or its window closed unreviewed (the BreakGlassReviewFailed alarm). */
export const BREAK_GLASS_REVIEW_FAILED_METRIC = 'BreakGlassReviewFailed';

/** One break-glass event, without dimensions: one alarm per metric, whichever function published it. */
export function breakGlassMetricLine(
  at: string,
  metric: typeof BREAK_GLASS_INVOKED_METRIC | typeof BREAK_GLASS_REVIEW_FAILED_METRIC,
  requestId: string,
): string {
  return JSON.stringify({
    _aws: {
      Timestamp: Date.parse(at),
      CloudWatchMetrics: [
        { Namespace: METRICS_NAMESPACE, Dimensions: [[]], Metrics: [{ Name: metric, Unit: 'Count' }] },
      ],
    },
    RequestId: requestId,
    [metric]: 1,
  });
}
