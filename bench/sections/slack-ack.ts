// Benchmark section: how long a Slack Approve click waits for its answer (the interaction POST, sent -> answered,
// as the fake Slack's click sees it), with a healthy Slack and with one whose chat.update hangs `hangMs`, notices
// through the queue. Slack gives an interaction 3 seconds before it shows the user an error. The inline "before"
// ran here too until every notice path moved to the queue (issue 17 §2): without a queue the functions now leave
// their notices due for the sweep, so there is no inline path left to time. Its last figures are in the README.

import { resetDependencies } from '../../lambdas/commons/dependencies.ts';
import { ENV } from '../../lambdas/commons/env.ts';
import type { LocalStack } from '../../local/stack.ts';
import type { BenchClient } from '../support.ts';
import { type Percentiles, percentiles, sleep } from '../support.ts';

export type AckMode = 'inline' | 'queue';
export type ChannelState = 'healthy' | 'hanging';

export interface AckRun {
  readonly mode: AckMode;
  readonly channel: ChannelState;
  readonly clicks: number;
  readonly ackMs: Percentiles;
  /** Clicks answered after Slack's 3-second budget. */
  readonly overSlackBudget: number;
}

export interface SlackAckResult {
  readonly hangMs: number;
  readonly runs: readonly AckRun[];
}

const SLACK_BUDGET_MS = 3_000;
const APPROVER = { principal: 'dir-ada', slackUserId: 'U0DIRADA' };

export async function benchSlackAck(
  stack: LocalStack,
  client: BenchClient,
  options: {
    readonly clicks: number;
    readonly hangingClicks: number;
    readonly hangMs: number;
    readonly requesters: readonly string[];
    readonly log: (line: string) => void;
  },
): Promise<SlackAckResult> {
  const queueUrl = process.env[ENV.noticeQueueUrl];
  const runs: AckRun[] = [];
  let next = 0;
  try {
    for (const mode of ['queue'] as const) {
      sendNoticesBy(mode, queueUrl);
      for (const channel of ['healthy', 'hanging'] as const) {
        const count = channel === 'healthy' ? options.clicks : options.hangingClicks;
        const samples: number[] = [];
        for (let index = 0; index < count; index++) {
          const requester = options.requesters[next++ % options.requesters.length] ?? 'ext-gus';
          const ts = await promptedRequest(stack, client, requester);
          if (channel === 'hanging') stack.channels.slack.delayNext('chat.update', 3, options.hangMs);
          samples.push(await clickApprove(stack, ts));
          // Each sample starts on a quiet channel: the hung updates (and, inline, the click) have finished.
          await stack.noticeQueue.drained(options.hangMs + 30_000);
          if (channel === 'hanging') await sleep(50);
        }
        const ackMs = percentiles(samples);
        const run = {
          mode,
          channel,
          clicks: count,
          ackMs,
          overSlackBudget: samples.filter((ms) => ms > SLACK_BUDGET_MS).length,
        };
        options.log(
          `  ${mode}, ${channel}: ack p50 ${ackMs.p50.toFixed(0)} / p95 ${ackMs.p95.toFixed(0)} / p99 ${ackMs.p99.toFixed(0)} ms, ${run.overSlackBudget} over 3 s`,
        );
        runs.push(run);
      }
    }
  } finally {
    sendNoticesBy('queue', queueUrl);
  }
  return { hangMs: options.hangMs, runs };
}

/** Inline: the functions see no queue (their dependencies are made again), so they send as before issue 17. */
function sendNoticesBy(mode: AckMode, queueUrl: string | undefined): void {
  if (mode === 'inline' || !queueUrl) delete process.env[ENV.noticeQueueUrl];
  else process.env[ENV.noticeQueueUrl] = queueUrl;
  resetDependencies();
}

async function promptedRequest(stack: LocalStack, client: BenchClient, requester: string): Promise<string> {
  const submitted = await client.call<{ id: string }>(requester, 'POST', '/requests', {
    scopes: ['dataset:hes-apc'],
    justification: 'Benchmark: Slack acknowledgement',
    duration: 'PT1H',
  });
  if (submitted.status !== 201) throw new Error(`submit answered ${submitted.status}`);
  const id = submitted.body.id;
  for (let waited = 0; waited < 30_000; waited += 50) {
    const prompt = stack.channels.slack
      .messages()
      .find((message) => message.user === APPROVER.slackUserId && message.text.includes(`[${id}]`));
    if (prompt) return prompt.ts;
    await sleep(50);
  }
  throw new Error(`no Slack prompt for ${id} to ${APPROVER.principal}`);
}

async function clickApprove(stack: LocalStack, ts: string): Promise<number> {
  const response = await fetch(`${stack.url}/dev/slack/click`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ ts, slackUserId: APPROVER.slackUserId, action: 'approve' }),
  });
  const body = (await response.json()) as { steps?: { status: number; elapsedMs: number }[] };
  const step = body.steps?.[0];
  if (response.status !== 200 || !step || step.status !== 200) {
    throw new Error(`the click answered ${response.status}: ${JSON.stringify(body).slice(0, 300)}`);
  }
  return step.elapsedMs;
}
