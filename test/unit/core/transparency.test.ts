// The transparency figures from plain values: categories that never leak free text, medians, review counts.
import { describe, expect, it } from 'vitest';
import type { AuditEvent } from '../../../lambdas/core/audit.ts';
import {
  median,
  reviewOutcome,
  revocationCategory,
  transparencyReport,
} from '../../../lambdas/core/transparency.ts';
import { later, NOW } from '../../support/fixtures.ts';

const event = (overrides: Partial<AuditEvent>): AuditEvent => ({
  action: 'GRANT_REVOKED',
  actor: { type: 'principal', id: 'ada.admin' },
  at: NOW,
  subject: { requestId: 'r1', principalId: 'xena.sc', scopes: ['admin'] },
  outcome: 'success',
  stream: 'REQUEST#r1',
  seq: 1,
  prevHash: '0',
  hash: '1',
  ...overrides,
});

describe('revocationCategory', () => {
  it('publishes system codes as they are and free text only as who revoked', () => {
    expect(
      revocationCategory(event({ reason: 'REVIEW_OVERDUE', actor: { type: 'system', id: 'sweep' } })),
    ).toBe('REVIEW_OVERDUE');
    expect(revocationCategory(event({ reason: 'Asked by Dana Director' }))).toBe('REVOKED_BY_STAFF');
    expect(revocationCategory(event({ reason: 'done', actor: { type: 'principal', id: 'xena.sc' } }))).toBe(
      'RELINQUISHED_BY_HOLDER',
    );
  });
});

describe('reviewOutcome', () => {
  it('counts kept reviews as on time and overdue revocations as overdue', () => {
    expect(reviewOutcome(event({ action: 'REVIEW_KEPT' }))).toBe('on-time');
    expect(reviewOutcome(event({ action: 'REVIEW_REQUESTED' }))).toBeUndefined();
    expect(reviewOutcome(event({ reason: 'REVIEW_OVERDUE' }))).toBe('overdue');
    expect(reviewOutcome(event({ reason: 'other' }))).toBeUndefined();
  });
});

describe('transparencyReport', () => {
  it('counts only the window and drops grants already past expiry', () => {
    const report = transparencyReport({
      now: later('P40D'),
      externalAdminCap: 5,
      externalAdminSeatsInUse: 2,
      activeGrants: [
        { scope: 'admin', organisation: 'Acme', expiresAt: later('P41D') },
        { scope: 'admin', organisation: 'Acme', expiresAt: later('P39D') },
      ],
      events: [
        event({ action: 'REQUEST_DENIED', at: later('P1D') }),
        event({ action: 'REQUEST_DENIED', at: later('P20D') }),
        event({ action: 'REVIEW_KEPT', at: later('P21D') }),
      ],
    });
    expect(report.activeGrants.total).toBe(1);
    expect(report.lastWindow.denials).toBe(1);
    expect(report.reviews).toEqual({ onTime: 1, overdue: 0 });
    expect(report.chainHead).toBeNull();
    expect(report.medianApprovedDurationHours).toBeNull();
    expect(report.externalAdminSeats).toEqual({ inUse: 2, cap: 5 });
    expect(report.outOfBandAccess).toBe(0);
  });

  it('median of an even count is the mean of the middle two', () => {
    expect(median([8, 24, 1, 168])).toBe(16);
    expect(median([])).toBeNull();
  });
});

describe('transparencyReport: break-glass', () => {
  it('counts break-glass grants of the window and its reviews justified on time or not', () => {
    // Act
    const report = transparencyReport({
      now: later('P40D'),
      externalAdminCap: 5,
      externalAdminSeatsInUse: 0,
      activeGrants: [],
      events: [
        event({ action: 'GRANT_ACTIVATED', at: later('P1D'), details: { breakGlass: true } }),
        event({ action: 'GRANT_ACTIVATED', at: later('P20D'), details: { breakGlass: true } }),
        event({ action: 'GRANT_ACTIVATED', at: later('P20D'), details: { expiresAt: later('P21D') } }),
        event({ action: 'BREAK_GLASS_JUSTIFIED', at: later('P20D') }),
        event({ action: 'BREAK_GLASS_NOT_JUSTIFIED', at: later('P21D') }),
        event({ action: 'BREAK_GLASS_UNREVIEWED', at: later('P22D') }),
      ],
    });
    // Assess
    expect(report.breakGlass).toEqual({ grants: 1, reviewedOnTime: 1, notReviewedOnTime: 2 });
    expect(report.lastWindow.grants).toBe(2);
  });
});
