// Verifying streams against their recorded heads, heads at an instant, and the heads digest anchors record.
import { describe, expect, it } from 'vitest';
import {
  type AuditEvent,
  type AuditEventDraft,
  chainEvent,
  EMPTY_CHAIN,
  headOf,
} from '../../../lambdas/core/audit.ts';
import {
  HeadsDigester,
  headAt,
  type StreamHead,
  sameDigest,
  verifyStream,
} from '../../../lambdas/core/audit-verify.ts';
import { later, NOW } from '../../support/fixtures.ts';

const draft = (at: string): AuditEventDraft => ({
  action: 'REQUEST_SUBMITTED',
  actor: { type: 'system', id: 'workflow' },
  at,
  subject: { requestId: 'r1', principalId: 'p1', scopes: ['admin'] },
  outcome: 'success',
});

function stream(count: number): AuditEvent[] {
  const events: AuditEvent[] = [];
  let head = EMPTY_CHAIN;
  for (let index = 0; index < count; index++) {
    const event = chainEvent('REQUEST#r1', head, draft(later(`PT${index + 1}H`)));
    events.push(event);
    head = headOf(event);
  }
  return events;
}

const headOfStream = (events: AuditEvent[]): StreamHead => {
  const last = events.at(-1) as AuditEvent;
  return { stream: last.stream, seq: last.seq, hash: last.hash, lastAt: last.at };
};

describe('verifyStream', () => {
  it('accepts a chain that ends at its recorded head, ignoring events appended after the head was read', () => {
    const events = stream(4);
    expect(verifyStream(headOfStream(events.slice(0, 3)), events, 10)).toBeUndefined();
  });

  it('reports a truncated tail at the first missing position', () => {
    const events = stream(4);
    expect(verifyStream(headOfStream(events), events.slice(0, 2), 10)).toMatchObject({
      problem: 'truncated',
      position: 2,
      seq: 3,
      eventsBefore: 12,
    });
  });

  it('reports a head whose hash is not the last event hash', () => {
    const events = stream(2);
    const head = { ...headOfStream(events), hash: 'f'.repeat(64) };
    expect(verifyStream(head, events, 0)).toMatchObject({ problem: 'head-mismatch', position: 1 });
  });

  it('reports an edited event with its position in the trail', () => {
    const events = stream(3);
    const edited = events.map((event, index) =>
      index === 1 ? { ...event, outcome: 'failed' as const } : event,
    );
    expect(verifyStream(headOfStream(events), edited, 7)).toMatchObject({
      problem: 'edited',
      position: 1,
      seq: 2,
      eventsBefore: 8,
    });
  });
});

describe('headAt and the heads digest', () => {
  it('takes the longest prefix at or before the instant', () => {
    const events = stream(3);
    expect(headAt(events, later('PT2H'))).toEqual(headOf(events[1] as AuditEvent));
    expect(headAt(events, NOW).seq).toBe(0);
  });

  it('is independent of the order heads are added in and leaves out empty streams', () => {
    const a = new HeadsDigester();
    a.add('REQUEST#b', { seq: 2, hash: 'x' });
    a.add('REQUEST#a', { seq: 1, hash: 'y' });
    a.add('REQUEST#c', EMPTY_CHAIN);
    const b = new HeadsDigester();
    b.add('REQUEST#a', { seq: 1, hash: 'y' });
    b.add('REQUEST#b', { seq: 2, hash: 'x' });
    expect(a.result()).toMatchObject({ streams: 2, events: 3 });
    expect(sameDigest(a.result(), b.result())).toBe(true);
    b.add('REQUEST#d', { seq: 1, hash: 'z' });
    expect(sameDigest(a.result(), b.result())).toBe(false);
  });
});
