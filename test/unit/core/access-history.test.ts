// Time buckets for grant intervals: each interval in exactly one bucket, and an instant's buckets reach it.
import { describe, expect, it } from 'vitest';
import {
  type AccessInterval,
  BUCKET_LEVELS,
  bucketOf,
  bucketsAt,
  endOf,
  holdersAt,
} from '../../../lambdas/core/access-history.ts';
import { activeRequest, later, NOW, people } from '../../support/fixtures.ts';

describe('bucketOf / bucketsAt', () => {
  it('puts a short interval in a small bucket and a long one in a larger bucket', () => {
    expect(bucketOf(NOW, later('PT30M'))).toMatch(/^L0#/);
    expect(bucketOf(NOW, later('P7D'))).toMatch(/^L(4|5)#/);
  });

  it('finds every interval covering an instant in one of that instant’s buckets', () => {
    // Prepare: intervals of many lengths and starts, some crossing bucket boundaries
    const starts = Array.from({ length: 40 }, (_, index) => later(`PT${index * 7}H13M`));
    const lengths = ['PT1M', 'PT59M', 'PT1H', 'PT5H', 'PT8H', 'P1D', 'P7D', 'P30D', 'P90D'];
    for (const from of starts) {
      for (const length of lengths) {
        const until = later(length, from);
        const bucket = bucketOf(from, until);
        // Act + Assess: at its start, in its middle and just before its end
        const middle = new Date((Date.parse(from) + Date.parse(until)) / 2).toISOString();
        const last = new Date(Date.parse(until) - 1).toISOString();
        for (const instant of [from, middle, last]) expect(bucketsAt(instant)).toContain(bucket);
      }
    }
    expect(bucketsAt(NOW)).toHaveLength(BUCKET_LEVELS);
  });
});

describe('intervals', () => {
  const interval = (from: string, until: string, requestId = 'r1'): AccessInterval => ({
    requestId,
    principalId: 'p',
    organisation: 'o',
    external: true,
    scope: 'admin',
    from,
    until,
    approvedBy: [],
  });

  it('holdersAt keeps [from, until) and sorts by start', () => {
    const candidates = [interval(later('PT2H'), later('PT4H'), 'b'), interval(NOW, later('PT2H'), 'a')];
    expect(holdersAt(candidates, later('PT2H')).map((entry) => entry.requestId)).toEqual(['b']);
    expect(holdersAt(candidates, later('PT1H')).map((entry) => entry.requestId)).toEqual(['a']);
  });

  it('endOf never runs past the grant expiry', () => {
    const request = activeRequest(people.externalScA, { scopes: ['dataset:hes-apc'], duration: 'PT8H' });
    const expiresAt = request.grant?.expiresAt as string;
    expect(endOf({ ...request, closedAt: later('PT1H', expiresAt) }, later('PT1H', expiresAt))).toBe(
      expiresAt,
    );
    expect(endOf({ ...request, closedAt: later('PT3H') }, later('PT3H'))).toBe(later('PT3H'));
  });
});
