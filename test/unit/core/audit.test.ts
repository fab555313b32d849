// Unit tests for the audit hash chain: canonical serialisation, chaining, and detection of tampering.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  type AuditEvent,
  type AuditEventDraft,
  canonicalJson,
  chainEvent,
  EMPTY_CHAIN,
  GENESIS_HASH,
  hashEvent,
  headOf,
  verifyChain,
} from '../../../lambdas/core/audit.ts';
import { later, NOW } from '../../support/fixtures.ts';

const STREAM = 'request#req-1';

function draft(
  action: AuditEventDraft['action'],
  at: string,
  extra: Partial<AuditEventDraft> = {},
): AuditEventDraft {
  return {
    action,
    actor: { type: 'principal', id: 'xena.sc' },
    at,
    subject: { requestId: 'req-1', principalId: 'xena.sc', scopes: ['admin'] },
    outcome: 'success',
    ...extra,
  };
}

function chainOf(drafts: readonly AuditEventDraft[]): AuditEvent[] {
  const events: AuditEvent[] = [];
  let head = EMPTY_CHAIN;
  for (const next of drafts) {
    const event = chainEvent(STREAM, head, next);
    events.push(event);
    head = headOf(event);
  }
  return events;
}

function lifecycleChain(): AuditEvent[] {
  return chainOf([
    draft('REQUEST_SUBMITTED', NOW, { details: { duration: 'PT8H', approvalsRequired: 2, external: true } }),
    draft('APPROVAL_RECORDED', later('PT1H'), { actor: { type: 'principal', id: 'dana.director' } }),
    draft('REQUEST_APPROVED', later('PT2H'), { actor: { type: 'principal', id: 'eve.exec' } }),
    draft('GRANT_ACTIVATED', later('PT2H'), { actor: { type: 'system', id: 'workflow' } }),
    draft('GRANT_EXPIRED', later('PT10H'), { actor: { type: 'system', id: 'workflow' }, reason: 'EXPIRED' }),
  ]);
}

describe('canonicalJson', () => {
  it('does not depend on key order, at any depth', () => {
    // Act
    const one = canonicalJson({ b: 1, a: { d: [1, { y: 2, x: 1 }], c: 'x' } });
    const other = canonicalJson({ a: { c: 'x', d: [1, { x: 1, y: 2 }] }, b: 1 });

    // Assess
    expect(one).toBe(other);
    expect(one).toBe('{"a":{"c":"x","d":[1,{"x":1,"y":2}]},"b":1}');
  });

  it('drops undefined members, so an absent and an undefined field hash the same', () => {
    // Act
    const withUndefined = canonicalJson({ a: 1, reason: undefined, nested: { b: undefined, c: 2 } });

    // Assess
    expect(withUndefined).toBe('{"a":1,"nested":{"c":2}}');
    expect(withUndefined).toBe(canonicalJson({ a: 1, nested: { c: 2 } }));
  });

  it('keeps array order and writes undefined array items as null, as JSON does', () => {
    // Assess
    expect(canonicalJson([3, 1, 2])).toBe('[3,1,2]');
    expect(canonicalJson([1, undefined, null])).toBe('[1,null,null]');
  });

  it('writes scalars as JSON and escapes strings and keys', () => {
    // Assess
    expect(canonicalJson('a "quoted" \n string')).toBe(JSON.stringify('a "quoted" \n string'));
    expect(canonicalJson(null)).toBe('null');
    expect(canonicalJson(true)).toBe('true');
    expect(canonicalJson(1.5)).toBe('1.5');
    expect(canonicalJson({ 'k"ey': 1 })).toBe('{"k\\"ey":1}');
  });
});

describe('chainEvent', () => {
  it('starts a stream at seq 1 on the genesis hash', () => {
    // Act
    const event = chainEvent(STREAM, EMPTY_CHAIN, draft('REQUEST_SUBMITTED', NOW));

    // Assess
    expect(event).toMatchObject({
      stream: STREAM,
      seq: 1,
      prevHash: GENESIS_HASH,
      action: 'REQUEST_SUBMITTED',
    });
    expect(GENESIS_HASH).toBe('0'.repeat(64));
    expect(event.hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('hashes the SHA-256 of the canonical event without its own hash', () => {
    // Act
    const event = chainEvent(STREAM, EMPTY_CHAIN, draft('REQUEST_SUBMITTED', NOW, { reason: undefined }));

    // Assess
    const { hash, ...unsigned } = event;
    expect(hash).toBe(createHash('sha256').update(canonicalJson(unsigned)).digest('hex'));
    expect(hashEvent(event)).toBe(hash);
  });

  it("links each event to its predecessor's seq and hash", () => {
    // Act
    const [first, second, third] = lifecycleChain();

    // Assess
    expect(second).toMatchObject({ seq: 2, prevHash: first?.hash });
    expect(third).toMatchObject({ seq: 3, prevHash: second?.hash });
    expect(new Set([first?.hash, second?.hash, third?.hash]).size).toBe(3);
  });

  it('gives the same event the same hash whatever its key order', () => {
    // Prepare
    const forward = draft('GRANT_REVOKED', NOW, { reason: 'done', details: { a: 1, b: 'x' } });
    const backward: AuditEventDraft = {
      details: { b: 'x', a: 1 },
      reason: 'done',
      outcome: 'success',
      subject: { scopes: ['admin'], principalId: 'xena.sc', requestId: 'req-1' },
      at: NOW,
      actor: { id: 'xena.sc', type: 'principal' },
      action: 'GRANT_REVOKED',
    };

    // Act
    const one = chainEvent(STREAM, EMPTY_CHAIN, forward);
    const other = chainEvent(STREAM, EMPTY_CHAIN, backward);

    // Assess
    expect(one.hash).toBe(other.hash);
  });

  it('binds the hash to the stream', () => {
    // Act
    const here = chainEvent(STREAM, EMPTY_CHAIN, draft('REQUEST_SUBMITTED', NOW));
    const elsewhere = chainEvent('request#req-2', EMPTY_CHAIN, draft('REQUEST_SUBMITTED', NOW));

    // Assess
    expect(here.hash).not.toBe(elsewhere.hash);
  });

  it('gives headOf the seq and hash of an event', () => {
    // Act
    const event = chainEvent(STREAM, EMPTY_CHAIN, draft('REQUEST_SUBMITTED', NOW));

    // Assess
    expect(headOf(event)).toEqual({ seq: 1, hash: event.hash });
  });
});

describe('verifyChain', () => {
  it('accepts an intact chain and reports its count and head', () => {
    // Prepare
    const events = lifecycleChain();
    const last = events[events.length - 1] as AuditEvent;

    // Act
    const verdict = verifyChain(events);

    // Assess
    expect(verdict).toEqual({ ok: true, count: 5, head: { seq: 5, hash: last.hash } });
  });

  it('accepts an empty stream with the empty head', () => {
    // Assess
    expect(verifyChain([])).toEqual({ ok: true, count: 0, head: EMPTY_CHAIN });
  });

  it('finds an edited event at its position', () => {
    // Prepare
    const events = lifecycleChain();
    events[2] = { ...(events[2] as AuditEvent), actor: { type: 'principal', id: 'mallory' } };

    // Act
    const verdict = verifyChain(events);

    // Assess
    expect(verdict).toEqual({ ok: false, count: 5, position: 2, seq: 3, problem: 'edited' });
  });

  it('finds an undefined-to-value edit and an added field', () => {
    // Prepare
    const withReason = lifecycleChain();
    withReason[1] = { ...(withReason[1] as AuditEvent), reason: 'backdated' };
    const withExtra = lifecycleChain();
    withExtra[0] = { ...(withExtra[0] as AuditEvent), extra: true } as AuditEvent;

    // Assess
    expect(verifyChain(withReason)).toMatchObject({ ok: false, position: 1, problem: 'edited' });
    expect(verifyChain(withExtra)).toMatchObject({ ok: false, position: 0, problem: 'edited' });
  });

  it('finds an edited event whose hash was recomputed at the link after it', () => {
    // Prepare
    const events = lifecycleChain();
    const { hash: _old, ...unsigned } = { ...(events[1] as AuditEvent), at: later('PT30M') };
    events[1] = { ...unsigned, hash: hashEvent(unsigned) };

    // Act
    const verdict = verifyChain(events);

    // Assess
    expect(verdict).toEqual({ ok: false, count: 5, position: 2, seq: 3, problem: 'broken-link' });
  });

  it('finds a removed event as missing or reordered', () => {
    // Prepare
    const events = lifecycleChain();
    events.splice(2, 1);

    // Act
    const verdict = verifyChain(events);

    // Assess
    expect(verdict).toEqual({ ok: false, count: 4, position: 2, seq: 4, problem: 'missing-or-reordered' });
  });

  it('finds a removed first event', () => {
    // Prepare
    const events = lifecycleChain().slice(1);

    // Act
    const verdict = verifyChain(events);

    // Assess
    expect(verdict).toEqual({ ok: false, count: 4, position: 0, seq: 2, problem: 'missing-or-reordered' });
  });

  it('finds two swapped events', () => {
    // Prepare
    const events = lifecycleChain();
    const [second, third] = [events[1] as AuditEvent, events[2] as AuditEvent];
    events[1] = third;
    events[2] = second;

    // Act
    const verdict = verifyChain(events);

    // Assess
    expect(verdict).toEqual({ ok: false, count: 5, position: 1, seq: 3, problem: 'missing-or-reordered' });
  });

  it('finds swapped events even when their seq numbers were swapped back', () => {
    // Prepare
    const events = lifecycleChain();
    const [second, third] = [events[1] as AuditEvent, events[2] as AuditEvent];
    events[1] = { ...third, seq: 2 };
    events[2] = { ...second, seq: 3 };

    // Act
    const verdict = verifyChain(events);

    // Assess
    expect(verdict).toEqual({ ok: false, count: 5, position: 1, seq: 2, problem: 'broken-link' });
  });

  it('finds a forged prevHash as a broken link, even with a recomputed hash', () => {
    // Prepare
    const events = lifecycleChain();
    const { hash: _old, ...unsigned } = { ...(events[3] as AuditEvent), prevHash: 'f'.repeat(64) };
    events[3] = { ...unsigned, hash: hashEvent(unsigned) };

    // Act
    const verdict = verifyChain(events);

    // Assess
    expect(verdict).toEqual({ ok: false, count: 5, position: 3, seq: 4, problem: 'broken-link' });
  });

  it('finds a duplicated event', () => {
    // Prepare
    const events = lifecycleChain();
    events.splice(2, 0, events[1] as AuditEvent);

    // Act
    const verdict = verifyChain(events);

    // Assess
    expect(verdict).toMatchObject({ ok: false, position: 2, seq: 2, problem: 'missing-or-reordered' });
  });
});
