// The notice outbox on DynamoDB Local: a decision records its notice as due in its own transaction and hands it to
// the queue without sending; the notifier sends each notice once (a duplicate or concurrent message sends nothing);
// a lost enqueue is resent by the sweep; a crash after sending and before marking resends only that notice.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DynamoDbNotificationLedger } from '../../lambdas/adapters/dynamodb/notification-ledger.ts';
import { EmailNotifier } from '../../lambdas/adapters/email-notifier.ts';
import { ConcurrentChangeError } from '../../lambdas/core/errors.ts';
import { cancelRequest, submitRequest } from '../../lambdas/core/lifecycle.ts';
import type { NoticeRef } from '../../lambdas/core/notices.ts';
import type { NotificationLedger, Notifier } from '../../lambdas/core/ports.ts';
import { cancelAccessRequest } from '../../lambdas/use-cases/cancel-request.ts';
import { commitTransition, type Dependencies } from '../../lambdas/use-cases/context.ts';
import { decideOnRequest } from '../../lambdas/use-cases/decide-request.ts';
import { hashToken } from '../../lambdas/use-cases/link-token.ts';
import { commitAndNotify } from '../../lambdas/use-cases/notice-outbox.ts';
import { deliverDueNotice, NoticeDeliveryError } from '../../lambdas/use-cases/notices/deliver-notice.ts';
import { requestApproval } from '../../lambdas/use-cases/request-approval.ts';
import { sweep } from '../../lambdas/use-cases/sweep.ts';
import { createTestTables, type TestTables } from '../support/dynamodb.ts';
import { catalogue, datasets, later, NOW, people } from '../support/fixtures.ts';
import { type SweepWorld, sweepWorld } from '../support/sweep-world.ts';

let tables: TestTables;
let world: SweepWorld;
let enqueued: NoticeRef[];
let enqueueFails: boolean;
let ledger: DynamoDbNotificationLedger;

function depsWith(overrides: Partial<Dependencies> = {}): Dependencies {
  return {
    ...world.deps,
    notifiers: [new EmailNotifier(world.deps.mailer)],
    notificationLedger: ledger,
    noticeQueue: {
      enqueue: async (ref) => {
        if (enqueueFails) throw new Error('the process died before SendMessage');
        enqueued.push(ref);
      },
    },
    ...overrides,
  };
}

/** A pending dataset request of Xena's, denied by the home director through the one decision use case. */
async function deniedRequest(deps: Dependencies, id: string) {
  await commitTransition(
    deps,
    undefined,
    submitRequest({
      id,
      input: {
        scopes: [`dataset:${datasets.hesIdentifiable.id}`],
        justification: 'Investigating a data quality incident in the admissions feed',
        duration: 'PT4H',
      },
      requester: people.externalScA,
      catalogue,
      policy: deps.policy,
      now: NOW,
    }),
  );
  return decideOnRequest(deps, {
    requestId: id,
    approver: people.homeDirector,
    decision: 'deny',
    comment: 'Not needed for this incident',
    channel: 'slack',
  });
}

const deniedMail = () => world.mail.filter((message) => message.subject.toLowerCase().includes('denied'));

beforeEach(async () => {
  tables = await createTestTables();
  world = await sweepWorld(tables, { now: NOW });
  ledger = new DynamoDbNotificationLedger(tables.documentClient, tables);
  enqueued = [];
  enqueueFails = false;
});

afterEach(async () => {
  await tables.cleanup();
});

describe('the decision path', () => {
  it('commits the notice as due with the decision, enqueues it and sends nothing itself', async () => {
    const deps = depsWith();

    const decided = await deniedRequest(deps, 'req-outbox-1');

    expect(decided.status).toBe('DENIED');
    expect(enqueued).toEqual([{ requestId: 'req-outbox-1', key: `${decided.audit.seq}:decision` }]);
    expect(world.mail).toEqual([]);
    expect(await ledger.listUnsentNotices(later('PT1M'))).toEqual([
      expect.objectContaining({ requestId: 'req-outbox-1', event: 'decision', dueAt: NOW }),
    ]);
  });

  it('with no queue configured (a bare wiring) leaves the notice due and sends nothing, channels or not', async () => {
    const deps = depsWith({ noticeQueue: undefined });

    const decided = await deniedRequest(deps, 'req-outbox-unqueued');

    expect(decided.status).toBe('DENIED');
    expect(world.mail).toEqual([]);
    const key = `${decided.audit.seq}:decision`;
    expect(await ledger.listUnsentNotices(later('PT1H'))).toEqual([
      expect.objectContaining({ requestId: 'req-outbox-unqueued', key }),
    ]);
    // Where there is a queue, the sweep hands it over like any other notice the queue never got.
    world.setNow(later('PT2M'));
    expect((await sweep(depsWith())).noticesResent).toEqual([`req-outbox-unqueued/${key}`]);
    expect(enqueued).toEqual([{ requestId: 'req-outbox-unqueued', key }]);
  });
});

describe('the notifier', () => {
  it('sends a notice once however often its message is delivered, concurrently or later', async () => {
    const deps = depsWith();
    await deniedRequest(deps, 'req-outbox-2');
    const [ref] = enqueued;
    if (!ref) throw new Error('nothing enqueued');

    const concurrent = await Promise.all([deliverDueNotice(deps, ref), deliverDueNotice(deps, ref)]);
    const later = await deliverDueNotice(deps, ref);

    expect(concurrent.sort()).toEqual(['in-flight', 'sent']);
    expect(later).toBe('already-sent');
    expect(deniedMail()).toHaveLength(1);
    expect(await ledger.listUnsentNotices(NOW)).toEqual([]);
  });

  it('a message naming no due notice sends nothing', async () => {
    expect(await deliverDueNotice(depsWith(), { requestId: 'req-none', key: '9:decision' })).toBe('missing');
    expect(world.mail).toEqual([]);
  });
});

describe('crashes', () => {
  it('after the commit and before the enqueue: the sweep a minute later enqueues it, and it is sent once', async () => {
    enqueueFails = true;
    const deps = depsWith();
    const decided = await deniedRequest(deps, 'req-outbox-3');
    enqueueFails = false;
    expect(decided.status).toBe('DENIED');
    expect(enqueued).toEqual([]);

    const tooSoon = await sweep(deps);
    world.setNow(later('PT2M'));
    const resent = await sweep(deps);
    for (const ref of enqueued) await deliverDueNotice(deps, ref);
    const afterwards = await sweep(deps);

    expect(tooSoon.noticesResent).toEqual([]);
    expect(resent.noticesResent).toEqual([`req-outbox-3/${decided.audit.seq}:decision`]);
    expect(deniedMail()).toHaveLength(1);
    expect(afterwards.noticesResent).toEqual([]);
  });

  it('after sending and before marking: only that notice is sent again once its lease lapses', async () => {
    let crashes = 1;
    const crashing: NotificationLedger = {
      claim: (...args) => ledger.claim(...args),
      saveChatPrompt: (...args) => ledger.saveChatPrompt(...args),
      listChatPrompts: (...args) => ledger.listChatPrompts(...args),
      leaseNotice: (...args) => ledger.leaseNotice(...args),
      listUnsentNotices: (...args) => ledger.listUnsentNotices(...args),
      recordPartialDelivery: (...args) => ledger.recordPartialDelivery(...args),
      recordDueNotice: (...args) => ledger.recordDueNotice(...args),
      markNoticeSent: async (ref, at) => {
        if (crashes-- > 0) throw new Error('killed before marking sent');
        await ledger.markNoticeSent(ref, at);
      },
    };
    const deps = depsWith({ notificationLedger: crashing });
    await deniedRequest(deps, 'req-outbox-4');
    await deniedRequest(deps, 'req-outbox-5');
    const [first, second] = enqueued;
    if (!first || !second) throw new Error('two notices expected');

    await expect(deliverDueNotice(deps, first)).rejects.toThrow('killed before marking sent');
    expect(await deliverDueNotice(deps, second)).toBe('sent');
    const redeliveredAtOnce = await deliverDueNotice(deps, first);
    world.setNow(later('PT2M'));
    const redeliveredLater = await deliverDueNotice(deps, first);
    const secondAgain = await deliverDueNotice(deps, second);

    expect(redeliveredAtOnce).toBe('in-flight');
    expect(redeliveredLater).toBe('sent');
    expect(secondAgain).toBe('already-sent');
    // The first notice twice (sent, crashed, resent), the second once: at most the unmarked one repeats.
    expect(deniedMail().map((message) => message.text.match(/req-outbox-\d/)?.[0])).toEqual([
      'req-outbox-4',
      'req-outbox-5',
      'req-outbox-4',
    ]);
  });
});

/** A pending dataset request of Xena's, committed through the real core and store. */
async function pendingRequest(deps: Dependencies, id: string) {
  return commitTransition(
    deps,
    undefined,
    submitRequest({
      id,
      input: {
        scopes: [`dataset:${datasets.hesIdentifiable.id}`],
        justification: 'Investigating a data quality incident in the admissions feed',
        duration: 'PT4H',
      },
      requester: people.externalScA,
      catalogue,
      policy: deps.policy,
      now: NOW,
    }),
  );
}

describe('the paths moved onto the outbox', () => {
  it('a cancel commits its notice with the CANCELLED transition and its event; a stale commit writes neither', async () => {
    const deps = depsWith();
    const pending = await pendingRequest(deps, 'req-outbox-cancel');

    const cancelled = await cancelAccessRequest(deps, people.externalScA, pending.id);
    const stale = commitAndNotify(
      deps,
      { type: 'system', id: 'api' },
      pending,
      // A second writer's different change from the same (now stale) head.
      cancelRequest(pending, people.externalScA, later('PT1S')),
    );

    await expect(stale).rejects.toBeInstanceOf(ConcurrentChangeError);
    const key = `${cancelled.audit.seq}:cancelled`;
    expect(cancelled.status).toBe('CANCELLED');
    expect(enqueued).toEqual([{ requestId: pending.id, key }]);
    const unsent = await ledger.listUnsentNotices(later('PT1M'));
    expect(unsent).toEqual([expect.objectContaining({ requestId: pending.id, key, event: 'cancelled' })]);
    const events = await world.store.readAuditStream(`REQUEST#${pending.id}`);
    expect(events.map((event) => event.action)).toEqual(['REQUEST_SUBMITTED', 'REQUEST_CANCELLED']);
  });

  it('the approval step records the approval-prompt notice with its event; the notifier mails each approver once', async () => {
    const deps = depsWith();
    const pending = await pendingRequest(deps, 'req-outbox-approval');

    await requestApproval(deps, pending.id, 'task-token-1');
    // A retried step (Step Functions) commits a second notice: nobody is mailed twice.
    await requestApproval(deps, pending.id, 'task-token-2');
    expect(world.mail).toEqual([]);
    const refs = [...enqueued];
    expect(refs.map((ref) => ref.key.split(':')[1])).toEqual(['approval-prompt', 'approval-prompt']);
    const outcomes = await Promise.all(refs.map((ref) => deliverDueNotice(deps, ref)));

    expect(outcomes).toEqual(['sent', 'sent']);
    const prompts = world.mail.filter((message) => message.subject.startsWith('Approval needed'));
    expect(prompts.length).toBeGreaterThan(0);
    expect(new Set(prompts.map((message) => message.to)).size).toBe(prompts.length);
    const link = /\/approve\/([A-Za-z0-9_-]{43})/.exec(prompts[0]?.text ?? '')?.[1] ?? '';
    expect(await world.store.findApprovalToken(hashToken(link))).toMatchObject({ requestId: pending.id });
    expect((await world.store.getRequest(pending.id))?.notified?.length).toBe(prompts.length);
    expect(await ledger.listUnsentNotices(later('PT1H'))).toEqual([]);
  });

  it('a channel failing after its retries leaves the notice due; the redelivery sends only what failed', async () => {
    let failures = 3;
    const sentToFlaky: string[] = [];
    const flaky: Notifier = {
      channel: 'slack',
      reaches: () => true,
      send: async (recipient, notice) => {
        if (failures-- > 0) throw new Error('service_unavailable');
        sentToFlaky.push(`${recipient.id}:${notice.kind}`);
        return { messageId: 'ts-1' };
      },
    };
    const deps = depsWith({ notifiers: [new EmailNotifier(world.deps.mailer), flaky] });
    await deniedRequest(deps, 'req-outbox-flaky');
    const [ref] = enqueued;
    if (!ref) throw new Error('nothing enqueued');

    const first = deliverDueNotice(deps, ref);
    await expect(first).rejects.toBeInstanceOf(NoticeDeliveryError);
    const owed = await ledger.listUnsentNotices(later('PT1M'));
    const again = await deliverDueNotice(deps, ref);

    expect(owed).toEqual([
      expect.objectContaining({ key: ref.key, delivered: [`email:${people.externalScA.id}:denied`] }),
    ]);
    expect(again).toBe('sent');
    expect(deniedMail()).toHaveLength(1);
    expect(sentToFlaky).toEqual([`${people.externalScA.id}:denied`]);
    expect(await ledger.listUnsentNotices(later('PT1H'))).toEqual([]);
    const failed = (await world.store.readAuditStream(`REQUEST#${ref.requestId}`)).filter(
      (event) => event.action === 'NOTIFICATION_FAILED',
    );
    expect(failed).toHaveLength(1);
  });
});
