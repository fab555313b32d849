// The sweep's metrics as one Embedded Metric Format line: CloudWatch turns it into metrics, drift included at 0.
import { describe, expect, it } from 'vitest';
import { sweepMetricsLine } from '../../../lambdas/commons/metrics.ts';

const quietSweep = {
  at: '2027-03-01T12:00:00.000Z',
  expired: [],
  reviewOverdue: [],
  clearanceLapsed: [],
  principalInactive: [],
  reviewsPrompted: [],
  remindersSent: [],
  seats: { drift: 0 },
  failures: [],
};

describe('sweepMetricsLine', () => {
  it('publishes the seat counter drift and what the sweep did, in EMF', () => {
    // Act
    const line = JSON.parse(
      sweepMetricsLine({ ...quietSweep, expired: ['a', 'b'], reviewOverdue: ['c'], seats: { drift: -2 } }),
    );

    // Assess
    expect(line._aws).toEqual({
      Timestamp: Date.parse('2027-03-01T12:00:00.000Z'),
      CloudWatchMetrics: [
        {
          Namespace: 'Keyholder',
          Dimensions: [['Function']],
          Metrics: expect.arrayContaining([
            { Name: 'SeatCounterDrift', Unit: 'Count' },
            { Name: 'GrantsExpiredBySweep', Unit: 'Count' },
          ]),
        },
      ],
    });
    expect(line).toMatchObject({
      Function: 'sweep',
      SeatCounterDrift: 2,
      GrantsExpiredBySweep: 2,
      GrantsRevokedReviewOverdue: 1,
    });
    // Every declared metric has its value on the line, or CloudWatch drops it.
    for (const metric of line._aws.CloudWatchMetrics[0].Metrics)
      expect(typeof line[metric.Name]).toBe('number');
  });

  it('publishes a zero drift too, so an alarm sees the metric every run', () => {
    // Assess
    expect(JSON.parse(sweepMetricsLine(quietSweep)).SeatCounterDrift).toBe(0);
  });
});
