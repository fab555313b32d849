// The Slack prompt shows Approve / Deny only while it is this approver's turn, and says what happened after.
import { describe, expect, it } from 'vitest';
import type { AccessRequest, Dataset, Principal } from '../../../lambdas/core/model.ts';
import {
  approvalPromptMessage,
  denyReasonModal,
  escapeMrkdwn,
  reviewPromptMessage,
} from '../../../lambdas/presentation/slack-blocks.ts';

const approver: Principal = {
  id: 'dir-ada',
  name: 'Ada Director',
  email: 'dir-ada@nhse.example',
  organisation: 'NHSE',
  grade: 'director',
  roles: [],
  active: true,
  slackUserId: 'U0DIRADA',
};
const request: AccessRequest = {
  id: 'req-1',
  requester: 'ext-gus',
  requesterOrganisation: 'AcmeSoft',
  external: true,
  scopes: ['admin'],
  duration: 'PT8H',
  justification: 'Patch <the> safe haven & more',
  createdAt: '2026-11-28T10:00:00.000Z',
  status: 'PENDING_APPROVAL',
  approvalsRequired: 2,
  approvals: [],
  approvalDeadline: '2026-12-01T10:00:00.000Z',
  countsAgainstCap: true,
};
const names = { 'dir-ada': 'Ada Director', 'dir-ben': 'Ben Director' };
const datasets: ReadonlyMap<string, Dataset> = new Map([
  ['hes-apc', { id: 'hes-apc', title: 'Hospital Episode Statistics', sensitivity: 'identifiable' }],
]);
const buttons = (blocks: readonly Record<string, unknown>[]) =>
  blocks
    .filter((block) => block.type === 'actions')
    .flatMap((block) => (block.elements as { action_id: string }[]).map((e) => e.action_id));

describe('approvalPromptMessage', () => {
  it('shows the facts, the cap usage and both buttons while the approver has not decided', () => {
    const message = approvalPromptMessage({
      request,
      requester: undefined,
      approver,
      names,
      seats: { inUse: 3, cap: 5 },
      datasets,
    });
    const text = JSON.stringify(message.blocks);
    expect(buttons(message.blocks)).toEqual(['approve', 'deny']);
    expect(text).toContain('3 of 5 external admin seats in use');
    expect(text).toContain('Patch &lt;the&gt; safe haven &amp; more');
    expect(message.text).toContain('[req-1]');
  });

  it('drops the buttons for an approver who decided, and for everyone once the request is closed', () => {
    const decided: AccessRequest = {
      ...request,
      approvals: [
        { approverId: 'dir-ada', decision: 'approve', at: '2026-11-28T11:00:00.000Z', channel: 'slack' },
      ],
    };
    expect(
      buttons(
        approvalPromptMessage({ request: decided, requester: undefined, approver, names, datasets }).blocks,
      ),
    ).toEqual([]);
    const denied: AccessRequest = {
      ...request,
      status: 'DENIED',
      closedBy: 'dir-ben',
      reason: 'No',
      closedAt: 'T',
    };
    const closed = approvalPromptMessage({
      request: denied,
      requester: undefined,
      approver,
      names,
      datasets,
    });
    expect(buttons(closed.blocks)).toEqual([]);
    expect(JSON.stringify(closed.blocks)).toContain('*Denied* by Ben Director');
  });
});

describe('denyReasonModal and escapeMrkdwn', () => {
  it('carries the request and prompt in private_metadata and asks for a required reason', () => {
    const modal = denyReasonModal({
      requestId: 'req-1',
      summary: 'Deny?',
      prompt: { channel: 'D1', ts: '1.2' },
    });
    expect(JSON.parse(String(modal.private_metadata))).toEqual({
      requestId: 'req-1',
      channel: 'D1',
      ts: '1.2',
    });
    expect(JSON.stringify(modal.blocks)).toContain('"min_length":1');
    expect(escapeMrkdwn('<@U1> & co')).toBe('&lt;@U1&gt; &amp; co');
  });
});

describe('reviewPromptMessage and the Revoke dialog', () => {
  const granted: AccessRequest = {
    ...request,
    scopes: ['dataset:hes-apc'],
    status: 'ACTIVE',
    grant: {
      grantedAt: '2026-11-28T11:00:00.000Z',
      expiresAt: '2026-11-28T19:00:00.000Z',
      approvedBy: ['dir-ben'],
      nextReviewAt: '2026-11-28T12:00:00.000Z',
    },
    review: {
      dueAt: '2026-11-28T12:00:00.000Z',
      promptedAt: '2026-11-28T12:00:01.000Z',
      deadline: '2026-11-29T12:00:00.000Z',
      reviewers: ['dir-ada', 'dir-ben'],
    },
  };

  it('shows the grant and Keep / Revoke, valued with the request id, while the round is open', () => {
    const message = reviewPromptMessage({
      request: granted,
      holder: undefined,
      reviewer: approver,
      datasets,
    });
    const text = JSON.stringify(message.blocks);
    expect(message.text).toBe(
      'Review needed: should ext-gus keep Hospital Episode Statistics (identifiable)? [req-1]',
    );
    expect(text).toContain('keep *Hospital Episode Statistics (identifiable)*?');
    expect(text).not.toContain('dataset:');
    expect(buttons(message.blocks)).toEqual(['keep', 'revoke']);
    expect(text).toContain('"value":"req-1"');
    expect(text).toContain('Sun 29 Nov 2026, 12:00 UTC');
    expect(text).toContain('Patch &lt;the&gt; safe haven &amp; more');
  });

  it('drops the buttons once the round is answered, saying how', () => {
    const kept = reviewPromptMessage({
      request: {
        ...granted,
        review: undefined,
        reviews: [
          { reviewerId: 'dir-ada', decision: 'keep', at: '2026-11-28T12:00:05.000Z', channel: 'slack' },
        ],
      },
      holder: undefined,
      reviewer: approver,
      datasets,
    });
    const revoked = reviewPromptMessage({
      request: {
        ...granted,
        review: undefined,
        status: 'REVOKED',
        closedBy: 'dir-ben',
        reason: 'REVIEW_REVOKED',
      },
      holder: undefined,
      reviewer: approver,
      datasets,
    });
    expect(buttons(kept.blocks)).toEqual([]);
    expect(JSON.stringify(kept.blocks)).toContain('*Kept* by you');
    expect(buttons(revoked.blocks)).toEqual([]);
    expect(revoked.text).toContain('(REVOKED)');
    expect(JSON.stringify(revoked.blocks)).toContain('*Revoked* by dir-ben');
  });

  it('asks a revoking director for the reason in its own dialog', () => {
    const modal = denyReasonModal({
      decision: 'revoke',
      requestId: 'req-1',
      summary: 'Revoke?',
      prompt: { channel: 'D1', ts: '1.2' },
    });
    expect(modal).toMatchObject({ callback_id: 'keyholder_revoke', submit: { text: 'Revoke' } });
    expect(
      denyReasonModal({ requestId: 'req-1', summary: 'Deny?', prompt: { channel: 'D1', ts: '1.2' } }),
    ).toMatchObject({ callback_id: 'keyholder_deny' });
  });
});
