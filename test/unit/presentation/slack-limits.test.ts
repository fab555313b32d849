// Every Slack message builder stays within Block Kit's documented limits whatever a requester types: a message over
// any limit is refused whole by Slack (`invalid_blocks`), so 4,000 `<` in a justification must not keep the prompt
// from the directors. Text is clipped after escaping (what Slack counts), never through an `&lt;` entity.
import { describe, expect, it } from 'vitest';
import type { AccessRequest, Dataset, Principal } from '../../../lambdas/core/model.ts';
import {
  approvalPromptMessage,
  clip,
  denyReasonModal,
  noticeMessage,
  reviewPromptMessage,
  SLACK_LIMITS,
} from '../../../lambdas/presentation/slack-blocks.ts';

type Block = Record<string, any>;

/** Every breach of Block Kit's limits in a message's (or modal's) blocks, as readable lines. */
function breaches(blocks: readonly Block[], surface: 'message' | 'modal'): string[] {
  const found: string[] = [];
  const max = surface === 'modal' ? SLACK_LIMITS.blocksPerModal : SLACK_LIMITS.blocksPerMessage;
  if (blocks.length > max) found.push(`${blocks.length} blocks > ${max}`);
  const text = (where: string, object: Block | undefined, limit: number) => {
    const value = object?.text;
    if (typeof value !== 'string') return;
    if (value.length > limit) found.push(`${where}: ${value.length} characters > ${limit}`);
    if (value.length === 0) found.push(`${where}: empty text`);
    if (object?.type === 'mrkdwn' && /&(?!amp;|lt;|gt;)/.test(value))
      found.push(`${where}: a bare or broken & entity`);
    if (/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/.test(value)) found.push(`${where}: half a surrogate pair`);
  };
  blocks.forEach((block, index) => {
    const at = `block ${index} (${block.type})`;
    if (typeof block.block_id === 'string' && block.block_id.length > 255)
      found.push(`${at}: block_id > 255`);
    switch (block.type) {
      case 'header':
        text(at, block.text, SLACK_LIMITS.headerText);
        break;
      case 'section':
        text(at, block.text, SLACK_LIMITS.sectionText);
        if ((block.fields ?? []).length > SLACK_LIMITS.sectionFields) found.push(`${at}: over 10 fields`);
        for (const [n, field] of (block.fields ?? []).entries())
          text(`${at} field ${n}`, field, SLACK_LIMITS.sectionField);
        break;
      case 'context':
        if (block.elements.length > 10) found.push(`${at}: over 10 elements`);
        for (const [n, element] of block.elements.entries())
          text(`${at} element ${n}`, element, SLACK_LIMITS.contextText);
        break;
      case 'actions':
        if (block.elements.length > 25) found.push(`${at}: over 25 elements`);
        block.elements.forEach((element: Block, n: number) => {
          text(`${at} button ${n}`, element.text, SLACK_LIMITS.buttonText);
          if (String(element.value ?? '').length > SLACK_LIMITS.buttonValue)
            found.push(`${at}: value > 2000`);
          if (String(element.action_id ?? '').length > 255) found.push(`${at}: action_id > 255`);
        });
        break;
      case 'input':
        text(`${at} label`, block.label, SLACK_LIMITS.inputLabel);
        break;
      default:
        found.push(`${at}: a block type this test does not know`);
    }
  });
  return found;
}

const hostile = {
  angles: '<'.repeat(4000),
  ampersands: '&'.repeat(4000),
  mixed: '<@U0ADMIN> &amp; <!channel> *bold* _it_ '.repeat(150),
  emoji: '🩺'.repeat(3000),
};

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

function requestWith(text: string): AccessRequest {
  return {
    id: 'req-1',
    requester: 'ext-gus',
    requesterOrganisation: text.slice(0, 120),
    external: true,
    scopes: ['admin', 'dataset:hes-apc', 'dataset:gp-records'],
    duration: 'PT8H',
    justification: text,
    ticket: text.slice(0, 120),
    createdAt: '2026-11-28T10:00:00.000Z',
    status: 'ACTIVE',
    approvalsRequired: 2,
    approvals: Array.from({ length: 12 }, (_, n) => ({
      approverId: `dir-${n}`,
      decision: 'approve' as const,
      at: '2026-11-28T10:30:00.000Z',
      channel: 'slack' as const,
      comment: text,
    })),
    approvalDeadline: '2026-12-01T10:00:00.000Z',
    countsAgainstCap: true,
    grant: {
      grantedAt: '2026-11-28T11:00:00.000Z',
      expiresAt: '2026-11-28T19:00:00.000Z',
      approvedBy: ['dir-0', 'dir-1'],
      nextReviewAt: '2026-11-28T12:00:00.000Z',
    },
    review: {
      dueAt: '2026-11-28T12:00:00.000Z',
      promptedAt: '2026-11-28T12:00:01.000Z',
      deadline: '2026-11-29T12:00:00.000Z',
      reviewers: ['dir-ada'],
    },
  } as AccessRequest;
}

describe.each(Object.entries(hostile))('Slack messages with %s in every free-text field', (_name, text) => {
  const requester: Principal = { ...approver, id: 'ext-gus', name: text.slice(0, 200), organisation: text };
  const names = Object.fromEntries(Array.from({ length: 12 }, (_, n) => [`dir-${n}`, text.slice(0, 200)]));
  // A catalogue whose titles are as long and hostile as the free text: a title must not break a limit either.
  const datasets: ReadonlyMap<string, Dataset> = new Map(
    ['hes-apc', 'gp-records'].map((id) => [id, { id, title: text, sensitivity: 'identifiable' as const }]),
  );

  it('keeps the approval prompt, open and decided, within every limit', () => {
    for (const status of ['PENDING_APPROVAL', 'DENIED', 'REVOKED'] as const) {
      const request = { ...requestWith(text), status, reason: text, closedBy: 'dir-1' };
      const message = approvalPromptMessage({
        request,
        requester,
        approver,
        names,
        seats: { inUse: 4, cap: 5 },
        datasets,
      });
      expect(breaches(message.blocks, 'message'), status).toEqual([]);
      expect(message.text.length).toBeLessThanOrEqual(SLACK_LIMITS.messageText);
    }
  });

  it('keeps the review prompt within every limit', () => {
    const message = reviewPromptMessage({
      request: requestWith(text),
      holder: requester,
      reviewer: approver,
      datasets,
    });
    expect(breaches(message.blocks, 'message')).toEqual([]);
    expect(message.text.length).toBeLessThanOrEqual(SLACK_LIMITS.messageText);
  });

  it('keeps the reason dialog within every limit', () => {
    const modal = denyReasonModal({
      requestId: 'req-1',
      summary: text,
      prompt: { channel: 'D0DIRADA', ts: '1700000000.000100' },
    });
    expect(breaches(modal.blocks as Block[], 'modal')).toEqual([]);
    expect((modal.title as Block).text.length).toBeLessThanOrEqual(SLACK_LIMITS.modalTitle);
    expect(String(modal.private_metadata).length).toBeLessThanOrEqual(SLACK_LIMITS.privateMetadata);
  });

  it('keeps a notice within every limit', () => {
    const message = noticeMessage({
      kind: 'denied',
      requestId: 'req-1',
      subject: text,
      headline: text,
      facts: Array.from({ length: 14 }, (_, n) => [`Fact ${n}`, text] as const),
      closing: text,
    });
    expect(breaches(message.blocks, 'message')).toEqual([]);
    expect(message.text.length).toBeLessThanOrEqual(SLACK_LIMITS.messageText);
  });
});

describe('clip', () => {
  it('cuts with an ellipsis, never through an entity or a surrogate pair, and leaves short text alone', () => {
    expect(clip('short', 10)).toBe('short');
    expect(clip('&lt;&lt;&lt;', 7)).toBe('&lt;…');
    expect(clip('ab&amp;cd', 5)).toBe('ab…');
    expect(clip('🩺🩺🩺', 4)).toBe('🩺…');
    expect(clip('x'.repeat(2001), 2000)).toHaveLength(2000);
  });
});
