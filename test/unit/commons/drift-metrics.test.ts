// The drift check's metrics: one EMF line per checked provider, by provider and by function, zeros included.
import { describe, expect, it } from 'vitest';
import { driftMetricsLines } from '../../../lambdas/commons/metrics.ts';

const checked = (provider: string, open: number) => ({
  provider,
  found: [],
  removed: [],
  gone: [],
  reapplied: [],
  open,
});

describe('driftMetricsLines', () => {
  it('publishes each provider’s open out-of-band count under both dimension sets', () => {
    // Act
    const lines = driftMetricsLines({
      at: '2027-03-01T12:00:00.000Z',
      providers: [{ ...checked('admin-console', 2), found: [{}], reapplied: [{}, {}] }, checked('data', 0)],
      failures: [{ provider: 'admin-console' }, { provider: 'other' }],
    }).map((line) => JSON.parse(line));

    // Assess
    expect(lines).toHaveLength(2);
    expect(lines[0]._aws.CloudWatchMetrics[0]).toMatchObject({
      Namespace: 'Keyholder',
      Dimensions: [['Function', 'Provider'], ['Function']],
    });
    expect(lines[0]).toMatchObject({
      Function: 'sweep',
      Provider: 'admin-console',
      OutOfBandAccess: 2,
      OutOfBandAccessFound: 1,
      GrantsReapplied: 2,
      DriftFailures: 1,
    });
    expect(lines[1]).toMatchObject({ Provider: 'data', OutOfBandAccess: 0, DriftFailures: 0 });
    // Every declared metric has its value on the line, or CloudWatch drops it.
    for (const line of lines)
      for (const metric of line._aws.CloudWatchMetrics[0].Metrics)
        expect(typeof line[metric.Name]).toBe('number');
  });

  it('publishes nothing when no provider was checked (ledger only)', () => {
    expect(driftMetricsLines({ at: '2027-03-01T12:00:00.000Z', providers: [], failures: [] })).toEqual([]);
  });
});
