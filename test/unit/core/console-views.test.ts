// The core behind the console's routes (issue 14): capabilities, what a directory change would do, who may decide
// what is in an inbox, the request timeline's sentences, and the access timeline of a window.
import { describe, expect, it } from 'vitest';
import type { AccessInterval } from '../../../lambdas/core/access-history.ts';
import { accessTimeline } from '../../../lambdas/core/access-history.ts';
import type { AuditEvent } from '../../../lambdas/core/audit.ts';
import {
  capabilitiesOf,
  mayDecideExtension,
  mayDecideRequest,
  mayDecideReview,
} from '../../../lambdas/core/authorization.ts';
import { planPrincipalChange } from '../../../lambdas/core/directory-changes.ts';
import { ForbiddenError } from '../../../lambdas/core/errors.ts';
import type { AccessRequest } from '../../../lambdas/core/model.ts';
import { timelineOf } from '../../../lambdas/core/timeline.ts';
import {
  activeRequest,
  catalogue,
  later,
  NOW,
  pendingRequest,
  people,
  policy,
  thrownBy,
} from '../../support/fixtures.ts';

describe('capabilitiesOf', () => {
  it('follows the approver, audit and directory rules', () => {
    expect(capabilitiesOf(people.homeDirector, policy, NOW)).toEqual({
      canRequest: true,
      canApprove: true,
      canAudit: false,
      canAdminister: false,
    });
    expect(capabilitiesOf(people.accessAdmin, policy, NOW)).toMatchObject({
      canApprove: false,
      canAudit: true,
      canAdminister: true,
    });
    expect(capabilitiesOf(people.auditor, policy, NOW)).toMatchObject({
      canAudit: true,
      canAdminister: false,
    });
    // A director by grade outside the home organisation is no approver.
    expect(capabilitiesOf(people.externalDirector, policy, NOW).canApprove).toBe(false);
    // A director whose clearance lapsed is no approver either.
    const lapsed = {
      ...people.homeDirector,
      clearance: { level: 'SC' as const, expiresAt: '2026-01-01T00:00:00.000Z' },
    };
    expect(capabilitiesOf(lapsed, policy, NOW)).toMatchObject({ canApprove: false });
  });
});

describe('planPrincipalChange', () => {
  const holder = people.externalScA;
  const active = activeRequest(holder, { scopes: ['dataset:hes-apc'] });
  const pending: AccessRequest = { ...pendingRequest(holder, { scopes: ['dataset:mhsds'] }), id: 'req-2' };
  const pseudo: AccessRequest = {
    ...activeRequest(holder, { scopes: ['dataset:gpes-pseudo'] }),
    id: 'req-3',
  };
  const at = later('PT3H');

  it('lists the grants a deactivation revokes and the open requests it leaves ungrantable', () => {
    const plan = planPrincipalChange({
      caller: people.accessAdmin,
      principal: holder,
      patch: { active: false },
      requests: [active, pending, pseudo],
      catalogue,
      policy,
      now: at,
    });
    expect(plan.principal.active).toBe(false);
    expect(plan.changed).toEqual(['active']);
    expect(plan.event?.action).toBe('PRINCIPAL_UPDATED');
    expect(plan.revokes.map((effect) => [effect.requestId, effect.reason])).toEqual([
      ['req-1', 'PRINCIPAL_INACTIVE'],
      ['req-3', 'PRINCIPAL_INACTIVE'],
    ]);
    expect(plan.endsPending).toEqual([
      expect.objectContaining({
        requestId: 'req-2',
        scopes: ['dataset:mhsds'],
        reason: 'PRINCIPAL_INACTIVE',
      }),
    ]);
    expect(plan.approverEligibility).toEqual({ before: false, after: false });
  });

  it('removing a clearance revokes only what needs one', () => {
    const plan = planPrincipalChange({
      caller: people.accessAdmin,
      principal: holder,
      patch: { clearance: null },
      requests: [active, pseudo],
      catalogue,
      policy,
      now: at,
    });
    expect(plan.revokes).toEqual([
      expect.objectContaining({
        requestId: 'req-1',
        reason: 'CLEARANCE_LAPSED',
        scopes: ['dataset:hes-apc'],
      }),
    ]);
  });

  it('reports approver eligibility before and after, and refuses what PATCH refuses', () => {
    const plan = planPrincipalChange({
      caller: people.accessAdmin,
      principal: people.homeDirector,
      patch: { grade: 'manager' },
      requests: [],
      catalogue,
      policy,
      now: NOW,
    });
    expect(plan.approverEligibility).toEqual({ before: true, after: false });
    const refused = thrownBy(() =>
      planPrincipalChange({
        caller: people.homeDirector,
        principal: holder,
        patch: { active: false },
        requests: [],
        catalogue,
        policy,
        now: NOW,
      }),
    );
    expect(refused).toBeInstanceOf(ForbiddenError);
  });
});

describe('inbox predicates', () => {
  const request = pendingRequest(people.externalScA, { scopes: ['dataset:hes-apc'] });

  it('a pending request: eligible, not own, not decided yet', () => {
    expect(mayDecideRequest(people.homeDirector, request, policy, NOW)).toBe(true);
    expect(mayDecideRequest(people.manager, request, policy, NOW)).toBe(false);
    const decided: AccessRequest = {
      ...request,
      approvals: [{ approverId: people.homeDirector.id, decision: 'approve', at: NOW, channel: 'api' }],
    };
    expect(mayDecideRequest(people.homeDirector, decided, policy, NOW)).toBe(false);
  });

  it('an extension round while open; a review round before its deadline', () => {
    const active = activeRequest(people.externalScA, { scopes: ['dataset:hes-apc'] });
    const extension = {
      duration: 'PT1H',
      justification: 'more',
      requestedAt: later('PT3H'),
      expiresAt: later('PT11H'),
      approvalsRequired: 1,
      approvals: [],
      status: 'PENDING' as const,
      deadline: later('PT4H'),
    };
    const extending: AccessRequest = { ...active, extension };
    expect(mayDecideExtension(people.homeDirector, extending, policy, later('PT3H30M'))).toBe(true);
    expect(mayDecideExtension(people.homeDirector, extending, policy, later('PT4H'))).toBe(false);
    expect(mayDecideExtension(people.externalScA, extending, policy, later('PT3H30M'))).toBe(false);
    const reviewing: AccessRequest = {
      ...active,
      review: { dueAt: later('PT3H'), promptedAt: later('PT3H'), deadline: later('PT5H'), reviewers: [] },
    };
    expect(mayDecideReview(people.homeDirector, reviewing, policy, later('PT4H'))).toBe(true);
    expect(mayDecideReview(people.homeDirector, reviewing, policy, later('PT5H'))).toBe(false);
    expect(mayDecideReview(people.auditor, reviewing, policy, later('PT4H'))).toBe(false);
  });
});

describe('timelineOf', () => {
  const base = {
    stream: 'REQUEST#req-1',
    subject: { requestId: 'req-1', principalId: 'xena.sc', scopes: ['dataset:hes-apc' as const] },
    outcome: 'success' as const,
    prevHash: 'a'.repeat(64),
    hash: 'b'.repeat(64),
  };
  const names = new Map([
    ['xena.sc', 'Xena SC'],
    ['dana.director', 'Dana Director'],
  ]);

  it('tells each event in a sentence, by name, with no hashes or addresses', () => {
    const events: AuditEvent[] = [
      {
        ...base,
        seq: 2,
        at: later('PT1H'),
        action: 'NOTIFICATION_SENT',
        actor: { type: 'system', id: 'workflow' },
        details: { channel: 'email', recipient: 'dana.director', messageId: 'm-1' },
      },
      {
        ...base,
        seq: 1,
        at: NOW,
        action: 'REQUEST_SUBMITTED',
        actor: { type: 'principal', id: 'xena.sc' },
        details: { duration: 'PT8H' },
      },
      {
        ...base,
        seq: 3,
        at: later('PT2H'),
        action: 'REQUEST_DENIED',
        actor: { type: 'principal', id: 'dana.director' },
        reason: 'Ask  dana@nhse.example\nfirst',
        details: { channel: 'api' },
      },
    ];
    const timeline = timelineOf(events, names);
    expect(timeline).toEqual([
      {
        at: NOW,
        type: 'REQUEST_SUBMITTED',
        actor: { id: 'xena.sc', name: 'Xena SC' },
        summary: 'Xena SC requested dataset:hes-apc for PT8H.',
      },
      {
        at: later('PT1H'),
        type: 'NOTIFICATION_SENT',
        actor: null,
        summary: 'Keyholder notified Dana Director by email.',
      },
      {
        at: later('PT2H'),
        type: 'REQUEST_DENIED',
        actor: { id: 'dana.director', name: 'Dana Director' },
        summary: 'Dana Director denied the request through the API: "Ask [email address] first".',
      },
    ]);
    expect(JSON.stringify(timeline)).not.toMatch(/m-1|aaaa|bbbb|@/);
  });
});

describe('accessTimeline', () => {
  const interval = (
    overrides: Partial<AccessInterval> & Pick<AccessInterval, 'requestId'>,
  ): AccessInterval => ({
    principalId: 'xena.sc',
    organisation: 'Acme Analytics',
    external: true,
    scope: 'admin',
    from: later('PT1H'),
    until: later('PT9H'),
    approvedBy: ['dana.director'],
    ...overrides,
  });
  const from = later('PT2H');
  const to = later('PT20H');

  it('keeps what overlaps the window, once, and counts external admins over time', () => {
    const held = interval({
      requestId: 'r-held',
      to: later('PT5H'),
      until: later('PT5H'),
      endReason: 'REVOKED',
    });
    const started = interval({ requestId: 'r-started', from: later('PT4H'), until: later('PT12H') });
    const running = interval({ requestId: 'r-running', from: later('PT6H'), until: later('PT30H') });
    const staff = interval({
      requestId: 'r-staff',
      external: false,
      from: later('PT3H'),
      until: later('PT4H'),
    });
    const dataset = interval({ requestId: 'r-data', scope: 'dataset:hes-apc', from: later('PT3H') });
    const before = interval({ requestId: 'r-before', from: NOW, until: later('PT1H') });
    const result = accessTimeline(
      [held, started, running, staff, dataset, before, held],
      from,
      to,
      later('PT13H'),
    );
    expect(
      result.intervals.map((entry) => [entry.scope, entry.requestId, entry.to, entry.endReason]),
    ).toEqual([
      ['admin', 'r-held', later('PT5H'), 'REVOKED'],
      ['admin', 'r-staff', later('PT4H'), 'EXPIRED'],
      ['admin', 'r-started', later('PT12H'), 'EXPIRED'],
      ['admin', 'r-running', null, null],
      ['dataset:hes-apc', 'r-data', later('PT9H'), 'EXPIRED'],
    ]);
    expect(result.adminsOverTime).toEqual([
      { at: from, count: 1 },
      { at: later('PT4H'), count: 2 },
      { at: later('PT5H'), count: 1 },
      { at: later('PT6H'), count: 2 },
      { at: later('PT12H'), count: 1 },
    ]);
  });
});

describe('timelineOf: reasons', () => {
  it('spells out recorded reason codes and quotes what people wrote', () => {
    const event: AuditEvent = {
      stream: 'REQUEST#req-1',
      seq: 1,
      at: NOW,
      action: 'GRANT_REVOKED',
      actor: { type: 'principal', id: 'dana.director' },
      subject: { requestId: 'req-1', principalId: 'xena.sc', scopes: ['admin'] },
      outcome: 'success',
      reason: 'REVIEW_REVOKED',
      details: { channel: 'console', review: 'revoke', comment: 'The incident is closed' },
      prevHash: '0'.repeat(64),
      hash: '1'.repeat(64),
    };
    const names = new Map([['dana.director', 'Dana Director']]);
    expect(timelineOf([event], names)[0]?.summary).toBe(
      `Dana Director revoked xena.sc's access to admin on review: "The incident is closed".`,
    );
    const swept: AuditEvent = {
      ...event,
      actor: { type: 'system', id: 'sweep' },
      reason: 'REVIEW_OVERDUE',
      details: {},
    };
    expect(timelineOf([swept], names)[0]).toMatchObject({
      actor: null,
      summary: "Keyholder revoked xena.sc's access to admin because nobody answered its review in time.",
    });
  });
});

describe('timelineWindow', () => {
  it('defaults to the last 7 days, refuses a backwards or over-90-day window naming the field', async () => {
    const { timelineWindow } = await import('../../../lambdas/use-cases/access-timeline.ts');
    expect(timelineWindow({}, NOW)).toEqual({ from: '2026-11-24T09:00:00.000Z', to: NOW });
    expect(timelineWindow({ to: '2026-11-10T00:00:00.000Z' }, NOW).from).toBe('2026-11-03T00:00:00.000Z');
    expect(timelineWindow({ from: '2026-09-02T09:00:00.000Z' }, NOW).to).toBe(NOW);
    expect(thrownBy(() => timelineWindow({ from: NOW, to: NOW }, NOW))).toMatchObject({ field: 'from' });
    expect(thrownBy(() => timelineWindow({ from: '2026-09-01T08:59:59.000Z' }, NOW))).toMatchObject({
      field: 'to',
    });
  });
});
