// Helpers for the Slack and notification end-to-end tests: a seed with more Slack-linked people, prompts by
// request, buttons of a message, and the request's audit events.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { slackSignature } from '../../lambdas/core/slack-signature.ts';
import type { SlackMessageRecord } from '../../local/fake-slack.ts';
import { DEFAULT_SEED_FILE } from '../../local/stack.ts';
import type { TestStack } from './local-stack.ts';

/** The local seed, plus Slack ids for a manager (not an approver) and for a requester. */
export function seedWithMoreSlackUsers(): string {
  const seed = JSON.parse(readFileSync(DEFAULT_SEED_FILE, 'utf8')) as {
    principals: { id: string; slackUserId?: string }[];
  };
  const extra: Record<string, string> = {
    'mgr-dan': 'U0MGRDAN',
    'ext-kim': 'U0EXTKIM',
    'ext-lee': 'U0EXTLEE',
  };
  for (const principal of seed.principals) {
    const slackUserId = extra[principal.id];
    if (slackUserId) principal.slackUserId = slackUserId;
  }
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'keyholder-seed-')), 'seed.json');
  writeFileSync(file, JSON.stringify(seed));
  return file;
}

export function promptsOf(stack: TestStack, requestId: string): SlackMessageRecord[] {
  return stack.channels.slack
    .messages()
    .filter(
      (message) => message.text.startsWith('Approval needed') && message.text.includes(`[${requestId}]`),
    );
}

export function promptTo(stack: TestStack, requestId: string, slackUserId: string): SlackMessageRecord {
  const prompt = promptsOf(stack, requestId).find((message) => message.user === slackUserId);
  if (!prompt) throw new Error(`no prompt for ${requestId} to ${slackUserId}`);
  return prompt;
}

export function buttonsOf(message: SlackMessageRecord): string[] {
  return message.blocks
    .filter((block) => block.type === 'actions')
    .flatMap((block) => (block.elements as { action_id: string }[]).map((element) => element.action_id));
}

export function textOf(message: SlackMessageRecord): string {
  return JSON.stringify(message.blocks);
}

export async function auditOf(stack: TestStack, requestId: string): Promise<any[]> {
  const answer = await stack.call('GET', `/audit?requestId=${requestId}`, { as: 'aud-fay' });
  return answer.body.events;
}

export function click(
  stack: TestStack,
  input: {
    ts?: string;
    requestId?: string;
    slackUserId: string;
    action: 'approve' | 'deny' | 'keep' | 'revoke';
    reason?: string;
    retries?: number;
  },
) {
  return stack.call('POST', '/dev/slack/click', { body: input });
}

/** The form body Slack posts when `slackUserId` clicks `action` on the message `ts` about `requestId`. */
export function blockActionsBody(
  stack: TestStack,
  input: { slackUserId: string; ts: string; action: 'approve' | 'deny'; requestId: string },
): string {
  const payload = JSON.stringify({
    type: 'block_actions',
    user: { id: input.slackUserId },
    team: { id: stack.channels.slack.teamId },
    trigger_id: 'x',
    container: { channel_id: `D${input.slackUserId.slice(1)}`, message_ts: input.ts },
    actions: [{ action_id: input.action, value: input.requestId }],
  });
  return new URLSearchParams({ payload }).toString();
}

/** Slack's signature headers for `body`, by default signed now with the stack's own secret. */
export function slackHeaders(
  stack: TestStack,
  body: string,
  options: { timestamp?: string; secret?: string } = {},
): Record<string, string> {
  const timestamp = options.timestamp ?? String(Math.floor(Date.now() / 1000));
  return {
    'x-slack-request-timestamp': timestamp,
    'x-slack-signature': slackSignature(options.secret ?? stack.channels.signingSecret, timestamp, body),
  };
}

/** POSTs an interaction to /slack/interactions as Slack does, with the headers given. */
export function postInteraction(stack: TestStack, body: string, headers: Record<string, string>) {
  return fetch(`${stack.url}/slack/interactions`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body,
  });
}
