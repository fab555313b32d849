// Local-only Slack routes: `GET /dev/slack` shows every call Keyholder made to the fake Slack, and
// `POST /dev/slack/click` plays a user clicking Approve, Deny, Keep or Revoke (and submitting the reason dialog
// of a Deny or a Revoke): it builds the
// interaction payload Slack would send, signs it with the local signing secret and POSTs it to the gateway's
// `/slack/interactions` — the real path, not a shortcut.
import { randomBytes } from 'node:crypto';
import { slackSignature } from '../lambdas/core/slack-signature.ts';
import { type DevRoute, devError } from './dev-routes.ts';
import type { FakeSlack, SlackMessageRecord, SlackView } from './fake-slack.ts';

export interface ClickInput {
  readonly ts?: string;
  readonly requestId?: string;
  readonly slackUserId: string;
  readonly action: 'approve' | 'deny' | 'keep' | 'revoke';
  /** For a deny or a revoke: the reason typed into the dialog; without one the dialog is opened and left open. */
  readonly reason?: string;
  /** Also send the very same request again this many times, as Slack's retries do (X-Slack-Retry-Num). */
  readonly retries?: number;
}

export interface ClickStep {
  readonly payloadType: 'block_actions' | 'view_submission';
  readonly retryNum?: number;
  readonly status: number;
  readonly body: string;
  readonly elapsedMs: number;
}

export interface SlackClicker {
  click(input: ClickInput): Promise<{ readonly steps: ClickStep[]; readonly message: SlackMessageRecord }>;
}

export class ClickError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

export function slackClicker(options: {
  readonly slack: FakeSlack;
  readonly signingSecret: string;
  readonly interactionsUrl: () => string;
}): SlackClicker {
  const { slack } = options;

  const send = async (
    payloadType: ClickStep['payloadType'],
    payload: Record<string, unknown>,
    retries = 0,
  ): Promise<ClickStep[]> => {
    const body = new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
    const steps: ClickStep[] = [];
    for (let retryNum = 0; retryNum <= retries; retryNum++) {
      const timestamp = String(Math.floor(Date.now() / 1000));
      const headers: Record<string, string> = {
        'content-type': 'application/x-www-form-urlencoded',
        'user-agent': 'Slackbot 1.0 (+https://api.slack.com/robots)',
        'x-slack-request-timestamp': timestamp,
        'x-slack-signature': slackSignature(options.signingSecret, timestamp, body),
      };
      if (retryNum > 0) {
        headers['x-slack-retry-num'] = String(retryNum);
        headers['x-slack-retry-reason'] = 'http_timeout';
      }
      const started = Date.now();
      const response = await fetch(options.interactionsUrl(), { method: 'POST', headers, body });
      steps.push({
        payloadType,
        ...(retryNum > 0 ? { retryNum } : {}),
        status: response.status,
        body: await response.text(),
        elapsedMs: Date.now() - started,
      });
    }
    return steps;
  };

  return {
    async click(input) {
      const message = findMessage(slack.messages(), input);

      const button = findButton(message, input.action);
      const triggerId = slack.issueTrigger(input.slackUserId);
      const steps = await send(
        'block_actions',
        blockActions(slack, message, button, input, triggerId),
        input.retries,
      );
      if ((input.action === 'deny' || input.action === 'revoke') && input.reason !== undefined) {
        const opened = slack.views().find((view) => view.triggerId === triggerId);
        if (opened) steps.push(...(await send('view_submission', viewSubmission(slack, opened, input))));
      }
      return { steps, message };
    },
  };
}

export function devSlackRoutes(slack: FakeSlack, clicker: SlackClicker): DevRoute[] {
  return [
    {
      method: 'GET',
      path: '/dev/slack',
      handle: async () => ({
        status: 200,
        body: {
          messages: slack.messages(),
          ephemerals: slack.ephemerals(),
          views: slack.views(),
          calls: slack.calls(),
        },
      }),
    },
    {
      method: 'POST',
      path: '/dev/slack/click',
      handle: async ({ body }) => {
        const input = body as Partial<ClickInput> | undefined;
        if (!input || typeof input.slackUserId !== 'string' || !input.slackUserId) {
          return devError(400, 'VALIDATION_FAILED', 'slackUserId is required', 'slackUserId');
        }
        if (!['approve', 'deny', 'keep', 'revoke'].includes(String(input.action))) {
          return devError(400, 'VALIDATION_FAILED', 'action must be approve, deny, keep or revoke', 'action');
        }
        if (typeof input.ts !== 'string' && typeof input.requestId !== 'string') {
          return devError(400, 'VALIDATION_FAILED', 'ts or requestId is required', 'ts');
        }
        try {
          const { steps, message } = await clicker.click(input as ClickInput);
          return { status: 200, body: { channel: message.channel, ts: message.ts, steps } };
        } catch (error) {
          if (error instanceof ClickError) return devError(error.status, 'CLICK_FAILED', error.message);
          throw error;
        }
      },
    },
  ];
}

function findMessage(messages: SlackMessageRecord[], input: ClickInput): SlackMessageRecord {
  // By request, the message that carries this very button comes first: a director may hold both the approval
  // prompt and a review prompt for the same request.
  const found = input.ts
    ? messages.find((message) => message.ts === input.ts)
    : (messages.find(
        (message) =>
          message.user === input.slackUserId && hasButton(message, input.action, input.requestId as string),
      ) ??
      messages.find(
        (message) =>
          message.user === input.slackUserId &&
          JSON.stringify(message.blocks).includes(`"value":${JSON.stringify(input.requestId)}`),
      ) ??
      messages.find(
        (message) => message.user === input.slackUserId && message.text.includes(`[${input.requestId}]`),
      ));
  if (!found)
    throw new ClickError(
      404,
      `no Slack message ${input.ts ?? `for ${input.requestId} to ${input.slackUserId}`}`,
    );
  return found;
}

function hasButton(message: SlackMessageRecord, action: string, value: string): boolean {
  return message.blocks.some(
    (block) =>
      block.type === 'actions' &&
      (block.elements as Record<string, unknown>[]).some(
        (element) => element.action_id === action && element.value === value,
      ),
  );
}

function findButton(
  message: SlackMessageRecord,
  action: string,
): Record<string, unknown> & { block_id: string } {
  for (const block of message.blocks) {
    if (block.type !== 'actions') continue;
    const element = (block.elements as Record<string, unknown>[]).find(
      (candidate) => candidate.action_id === action,
    );
    if (element) return { ...element, block_id: String(block.block_id) };
  }
  throw new ClickError(409, `message ${message.ts} has no "${action}" button (any more)`);
}

function user(slack: FakeSlack, id: string) {
  return { id, username: id.toLowerCase(), name: id.toLowerCase(), team_id: slack.teamId };
}

function base(slack: FakeSlack, slackUserId: string) {
  return {
    user: user(slack, slackUserId),
    api_app_id: 'A0KEYHOLDER',
    token: 'deprecated-verification-token',
    team: { id: slack.teamId, domain: 'keyholder-local' },
    enterprise: null,
    is_enterprise_install: false,
  };
}

/** What Slack sends when a button in a message is clicked. */
function blockActions(
  slack: FakeSlack,
  message: SlackMessageRecord,
  button: Record<string, unknown> & { block_id: string },
  input: ClickInput,
  triggerId: string,
): Record<string, unknown> {
  const actionTs = `${(Date.now() / 1000).toFixed(6)}`;
  return {
    type: 'block_actions',
    ...base(slack, input.slackUserId),
    container: { type: 'message', message_ts: message.ts, channel_id: message.channel, is_ephemeral: false },
    trigger_id: triggerId,
    channel: { id: message.channel, name: 'directmessage' },
    message: {
      type: 'message',
      user: 'U0KEYHOLDERBOT',
      ts: message.ts,
      text: message.text,
      blocks: message.blocks,
    },
    state: { values: {} },
    response_url: `https://hooks.slack.com/actions/${slack.teamId}/${randomBytes(6).toString('hex')}`,
    actions: [
      {
        action_id: button.action_id,
        block_id: button.block_id,
        text: button.text,
        value: button.value,
        style: button.style,
        type: 'button',
        action_ts: actionTs,
      },
    ],
  };
}

/** What Slack sends when the dialog opened by views.open is submitted with the reason typed in. */
function viewSubmission(slack: FakeSlack, opened: SlackView, input: ClickInput): Record<string, unknown> {
  // The typed text is filed under the dialog's own input block and element, as Slack files it.
  const blocks = (opened.view.blocks ?? []) as {
    type?: string;
    block_id?: string;
    element?: { action_id?: string };
  }[];
  const field = blocks.find((block) => block.type === 'input');
  if (!field?.block_id || !field.element?.action_id)
    throw new ClickError(409, 'the dialog has no input to type into');
  return {
    type: 'view_submission',
    ...base(slack, input.slackUserId),
    trigger_id: slack.issueTrigger(input.slackUserId),
    view: {
      ...opened.view,
      id: opened.id,
      team_id: slack.teamId,
      state: {
        values: {
          [field.block_id]: {
            [field.element.action_id]: { type: 'plain_text_input', value: input.reason ?? '' },
          },
        },
      },
      hash: randomBytes(8).toString('hex'),
      root_view_id: opened.id,
      app_id: 'A0KEYHOLDER',
      bot_id: 'B0KEYHOLDER',
    },
    response_urls: [],
  };
}
