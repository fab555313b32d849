// The notice outbox's pure rules (lambdas/core/notices.ts): which notices a transition owes by the status it
// enters, the expiry reminder's key, a delivery part's name, and reading a queue message.
import { describe, expect, it } from 'vitest';
import {
  expiryReminderOf,
  noticesOf,
  outcomesOfTransition,
  parseNoticeRef,
  partOf,
} from '../../../lambdas/core/notices.ts';

const SWEEP = { type: 'system', id: 'sweep' } as const;

describe('outcomesOfTransition', () => {
  it.each([
    ['APPROVED', 'ACTIVE', ['granted']],
    ['PROVISIONING', 'ACTIVE', ['granted']],
    ['PENDING_APPROVAL', 'REJECTED', ['rejected']],
    ['APPROVED', 'REJECTED', ['rejected']],
    ['PENDING_APPROVAL', 'TIMED_OUT', ['timed-out']],
    ['PENDING_APPROVAL', 'CANCELLED', ['cancelled']],
    ['ACTIVE', 'REVOKED', ['revoked']],
    ['ACTIVE', 'EXPIRED', ['expired']],
    ['PROVISIONING', 'FAILED', ['failed']],
  ] as const)('%s -> %s owes %j', (before, after, owed) => {
    expect(outcomesOfTransition({ status: before }, { status: after })).toEqual(owed);
  });

  it('owes nothing while the status stays (an audit-only event, an extension, a recorded platform failure)', () => {
    expect(outcomesOfTransition({ status: 'ACTIVE' }, { status: 'ACTIVE' })).toEqual([]);
    expect(outcomesOfTransition({ status: 'PENDING_APPROVAL' }, { status: 'PENDING_APPROVAL' })).toEqual([]);
  });

  it('owes nothing for statuses a decision or the workflow moves through (the decision names its own notice)', () => {
    expect(outcomesOfTransition({ status: 'PENDING_APPROVAL' }, { status: 'APPROVED' })).toEqual([]);
    expect(outcomesOfTransition({ status: 'APPROVED' }, { status: 'PROVISIONING' })).toEqual([]);
    expect(outcomesOfTransition(undefined, { status: 'PENDING_APPROVAL' })).toEqual([]);
  });

  it('a break-glass grant also owes the directors their URGENT notice', () => {
    const breakGlass = { status: 'ACTIVE', breakGlass: { window: 'PT4H' } } as const;
    expect(outcomesOfTransition({ status: 'APPROVED' }, breakGlass)).toEqual(['granted', 'break-glass']);
    expect(outcomesOfTransition({ status: 'ACTIVE' }, breakGlass)).toEqual([]);
  });
});

describe('noticesOf', () => {
  it('keys each notice by the transition audit sequence number and its kind, once per kind', () => {
    const notices = noticesOf(
      { requestId: 'req-1', seq: 4, at: '2026-12-01T09:00:00.000Z' },
      ['approval-prompt', 'approval-prompt', 'review-prompt'],
      SWEEP,
    );
    expect(notices.map((notice) => notice.key)).toEqual(['4:approval-prompt', '4:review-prompt']);
    expect(notices[0]).toMatchObject({
      requestId: 'req-1',
      event: 'approval-prompt',
      dueAt: '2026-12-01T09:00:00.000Z',
    });
  });
});

describe('expiryReminderOf', () => {
  it('is keyed by the expiry it reminds of: the same expiry the same key, a moved expiry a new one', () => {
    const first = expiryReminderOf({ requestId: 'req-1', expiresAt: '2026-12-01T12:00:00.000Z' }, SWEEP, 'a');
    const again = expiryReminderOf({ requestId: 'req-1', expiresAt: '2026-12-01T12:00:00.000Z' }, SWEEP, 'b');
    const extended = expiryReminderOf(
      { requestId: 'req-1', expiresAt: '2026-12-02T12:00:00.000Z' },
      SWEEP,
      'c',
    );
    expect(first.key).toBe(again.key);
    expect(extended.key).not.toBe(first.key);
    expect(first).toMatchObject({ event: 'expiry-reminder', actor: SWEEP, dueAt: 'a' });
  });
});

describe('partOf and parseNoticeRef', () => {
  it('names one message of a notice by channel, recipient and kind', () => {
    expect(partOf({ channel: 'slack', recipient: 'dir-ada', kind: 'approval-prompt' })).toBe(
      'slack:dir-ada:approval-prompt',
    );
  });

  it('reads a queue body naming a notice, and nothing else', () => {
    expect(parseNoticeRef('{"requestId":"req-1","key":"3:granted"}')).toEqual({
      requestId: 'req-1',
      key: '3:granted',
    });
    expect(parseNoticeRef('{"requestId":"","key":"3:granted"}')).toBeUndefined();
    expect(parseNoticeRef('not json')).toBeUndefined();
  });
});
