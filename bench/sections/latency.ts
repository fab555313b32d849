// Benchmark sections on the running local stack: latency of whole lifecycles (submit -> approver mailed, approve ->
// ACTIVE) under a number of concurrent clients, and sustained submission throughput.
import type { LocalStack } from '../../local/stack.ts';
import { type BenchClient, errorMessage, type Percentiles, percentiles, sleep } from '../support.ts';

/** Identifiable, pseudonymised and aggregate datasets from local/seed.json: the cap does not apply to datasets. */
const DATASETS = ['hes-apc', 'gp-records', 'cancer-registry', 'covid-vaccinations', 'ae-attendances'];

export interface LatencyRun {
  readonly clients: number;
  readonly requests: number;
  readonly completed: number;
  readonly errors: number;
  readonly firstErrors: readonly string[];
  /** POST /requests sent -> the first approval email received by the dev mailbox (its receipt time). */
  readonly submitToNotifiedMs: Percentiles;
  /** POST /decisions sent -> the grant committed (the request's grantedAt, the instant the grant took). */
  readonly approveToActiveMs: Percentiles;
  readonly wallMs: number;
}

/**
 * `requests` lifecycles spread over `clients` concurrent clients, each one after another: submit, wait for the
 * approval email, approve, wait until ACTIVE. Every request is a dataset request from its own requester.
 */
export async function benchLatency(
  stack: LocalStack,
  client: BenchClient,
  options: {
    readonly clients: number;
    readonly requests: number;
    readonly requesters: readonly string[];
    readonly approver?: string;
    readonly timeoutMs?: number;
  },
): Promise<LatencyRun> {
  const approver = options.approver ?? 'dir-ada';
  const timeoutMs = options.timeoutMs ?? 60_000;
  const notified: number[] = [];
  const active: number[] = [];
  const errors: string[] = [];
  let next = 0;
  const one = async (index: number) => {
    const requester = options.requesters[index % options.requesters.length] as string;
    const submitted = Date.now();
    const answer = await client.call<{ id?: string }>(requester, 'POST', '/requests', {
      scopes: [`dataset:${DATASETS[index % DATASETS.length]}`],
      justification: 'Benchmark: one lifecycle, submit to active',
      duration: 'PT1H',
    });
    if (answer.status !== 201 || !answer.body.id) throw new Error(`submit ${answer.status}`);
    const id = answer.body.id;
    const mail = await stack.mailbox.waitFor(
      (message) => message.subject.endsWith(`[${id}]`) && message.text.includes('/approve/'),
      timeoutMs,
    );
    notified.push(Date.parse(mail.sentAt) - submitted);
    const approving = Date.now();
    const decided = await client.call(approver, 'POST', `/requests/${id}/decisions`, { decision: 'approve' });
    if (decided.status !== 200) throw new Error(`approve ${decided.status}`);
    const deadline = Date.now() + timeoutMs;
    // The figure is grantedAt, so how often we look does not change it; look rarely enough not to add load.
    while (Date.now() < deadline) {
      const seen = await client.call<{ status: string; grant?: { grantedAt: string } }>(
        requester,
        'GET',
        `/requests/${id}`,
      );
      if (seen.body.status === 'ACTIVE' && seen.body.grant) {
        active.push(Date.parse(seen.body.grant.grantedAt) - approving);
        return;
      }
      if (seen.body.status !== 'APPROVED' && seen.body.status !== 'PENDING_APPROVAL') {
        throw new Error(`request ended ${seen.body.status}`);
      }
      await sleep(options.clients > 1 ? 200 : 25);
    }
    throw new Error(`not ACTIVE within ${timeoutMs} ms`);
  };
  const began = performance.now();
  await Promise.all(
    Array.from({ length: Math.min(options.clients, options.requests) }, async () => {
      while (next < options.requests) {
        const index = next++;
        try {
          await one(index);
        } catch (error) {
          errors.push(errorMessage(error));
        }
      }
    }),
  );
  return {
    clients: options.clients,
    requests: options.requests,
    completed: active.length,
    errors: errors.length,
    firstErrors: errors.slice(0, 5),
    submitToNotifiedMs: percentiles(notified),
    approveToActiveMs: percentiles(active),
    wallMs: performance.now() - began,
  };
}

export interface ThroughputResult {
  readonly clients: number;
  readonly seconds: number;
  readonly submissions: number;
  readonly perSecond: number;
  readonly errors: number;
  readonly errorsByKind: Record<string, number>;
  /** Response time of POST /requests. */
  readonly submitMs: Percentiles;
  /** After the window: until every accepted submission's approvers had been mailed (the workflow's backlog). */
  readonly backlogDrainMs: number;
  readonly backlogDrained: boolean;
}

/** `clients` clients submitting dataset requests back to back for `seconds`, from many requesters. */
export async function benchThroughput(
  stack: LocalStack,
  client: BenchClient,
  options: {
    readonly clients: number;
    readonly seconds: number;
    readonly requesters: readonly string[];
    readonly drainTimeoutMs?: number;
  },
): Promise<ThroughputResult> {
  const ids: string[] = [];
  const errors: Record<string, number> = {};
  const timings: number[] = [];
  let sequence = 0;
  const began = performance.now();
  const stopAt = began + options.seconds * 1000;
  await Promise.all(
    Array.from({ length: options.clients }, async () => {
      while (performance.now() < stopAt) {
        const index = sequence++;
        const sent = performance.now();
        let kind: string | undefined;
        try {
          const answer = await client.call<{ id?: string; error?: { code?: string } }>(
            options.requesters[index % options.requesters.length] as string,
            'POST',
            '/requests',
            {
              scopes: [`dataset:${DATASETS[index % DATASETS.length]}`],
              justification: 'Benchmark: sustained submissions',
              duration: 'PT1H',
            },
          );
          if (answer.status === 201 && answer.body.id) ids.push(answer.body.id);
          else kind = `${answer.status} ${answer.body.error?.code ?? ''}`.trim();
        } catch (error) {
          kind = `fetch: ${errorMessage(error)}`;
        }
        timings.push(performance.now() - sent);
        if (kind) errors[kind] = (errors[kind] ?? 0) + 1;
      }
    }),
  );
  const windowMs = performance.now() - began;

  // The workflow carries on after the window: wait for it, so what follows is not measured against a backlog.
  const drainStarted = performance.now();
  const pending = new Set(ids);
  const drainDeadline = Date.now() + (options.drainTimeoutMs ?? 300_000);
  let seen = 0;
  while (pending.size > 0 && Date.now() < drainDeadline) {
    const messages = stack.mailbox.messages();
    for (const message of messages.slice(seen)) {
      const id = /\[([^\]]+)\]$/.exec(message.subject)?.[1];
      if (id && message.text.includes('/approve/')) pending.delete(id);
    }
    seen = messages.length;
    if (pending.size > 0) await sleep(500);
  }
  const errorCount = Object.values(errors).reduce((sum, value) => sum + value, 0);
  return {
    clients: options.clients,
    seconds: windowMs / 1000,
    submissions: ids.length,
    perSecond: ids.length / (windowMs / 1000),
    errors: errorCount,
    errorsByKind: errors,
    submitMs: percentiles(timings),
    backlogDrainMs: performance.now() - drainStarted,
    backlogDrained: pending.size === 0,
  };
}
