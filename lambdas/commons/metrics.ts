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
