// Reading Slack's interaction requests: the signature over the raw body, then the form-encoded `payload` JSON
// (block_actions for the Approve / Deny and Keep / Revoke buttons, view_submission for the Deny and Revoke
// dialogs) as a SlackInteraction.
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { UnauthenticatedError, ValidationError } from '../../core/errors.ts';
import { verifySlackSignature } from '../../core/slack-signature.ts';
import * as z from '../../core/zod.ts';
import { SECURITY_HEADERS } from '../../http/errors.ts';
import { assertBodyWithin } from '../../http/request.ts';
import { SLACK_IDS } from '../../presentation/slack-ids.ts';
import type { InteractionAnswer, SlackInteraction } from '../../use-cases/slack-interaction.ts';

/**
 * Slack echoes the message or the modal view in every interaction: a view may be 250 kB and the form encoding
 * can triple that, so Slack gets more room than the JSON routes. The shared guard (httpHandler) enforces it.
 */
export const SLACK_MAX_BODY_BYTES = 1024 * 1024;

/**
 * What POST /slack/interactions takes (OPERATIONS says so too: test/unit/http/api-schema.test.ts): a body and no
 * query parameters, named here so its bundle carries no table of every operation.
 */
export const SLACK_INTERACTION_INPUTS = { query: false, body: true } as const;

export function rawBodyOf(event: APIGatewayProxyEventV2): string {
  if (!event.body) return '';
  assertBodyWithin(event, SLACK_MAX_BODY_BYTES);
  // API Gateway base64-encodes form bodies; the signature is over the bytes Slack sent, so decode exactly.
  return event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
}

/** 401 unless the request carries Slack's valid, fresh signature over exactly this body. */
export function assertSignedBySlack(
  event: APIGatewayProxyEventV2,
  rawBody: string,
  signingSecret: string,
  nowSeconds: number,
): void {
  const verdict = verifySlackSignature({
    signingSecret,
    timestamp: event.headers?.['x-slack-request-timestamp'],
    signature: event.headers?.['x-slack-signature'],
    rawBody,
    nowSeconds,
  });
  if (!verdict.ok) throw new UnauthenticatedError(`Slack signature refused: ${verdict.reason}`);
}

/**
 * 401 unless the payload comes from the workspace Keyholder is installed in. The signing secret is per app, and
 * an app distributed to (or copied into) another workspace signs that workspace's clicks with the same secret:
 * the team id is what says whose directors they are. Unset (no `teamId` in the secret): not checked.
 */
export function assertFromWorkspace(rawBody: string, expectedTeamId: string | undefined): void {
  if (!expectedTeamId) return;
  let payload: { team?: { id?: unknown } | null; user?: { team_id?: unknown } } = {};
  try {
    payload = JSON.parse(new URLSearchParams(rawBody).get('payload') ?? '{}');
  } catch {
    // parseInteraction reports the malformed payload
  }
  const team = payload?.team?.id ?? payload?.user?.team_id;
  if (team !== expectedTeamId)
    throw new UnauthenticatedError('Slack request refused: not from this workspace');
}

const id = z.string().check(z.minLength(1), z.maxLength(200));
const blockActions = z.object({
  type: z.literal('block_actions'),
  user: z.object({ id }),
  trigger_id: id,
  container: z.optional(z.partial(z.object({ channel_id: id, message_ts: id }))),
  channel: z.optional(z.object({ id })),
  message: z.optional(z.object({ ts: id })),
  actions: z.array(z.object({ action_id: z.string(), value: z.optional(z.string()) })).check(z.minLength(1)),
});
const viewSubmission = z.object({
  type: z.literal('view_submission'),
  user: z.object({ id }),
  view: z.object({
    callback_id: z.string(),
    private_metadata: z.string(),
    state: z.object({
      values: z.record(z.string(), z.record(z.string(), z.object({ value: z.nullish(z.string()) }))),
    }),
  }),
});
const promptMetadata = z.object({ requestId: id, channel: id, ts: id });

/** The buttons Keyholder acts on, by action id. */
const BUTTONS: Readonly<Record<string, 'approve' | 'deny' | 'keep' | 'revoke'>> = {
  [SLACK_IDS.approveAction]: 'approve',
  [SLACK_IDS.denyAction]: 'deny',
  [SLACK_IDS.keepAction]: 'keep',
  [SLACK_IDS.revokeAction]: 'revoke',
};

/** The reason dialogs, by callback id. */
const DIALOGS: Readonly<Record<string, 'deny-reason' | 'revoke-reason'>> = {
  [SLACK_IDS.denyCallback]: 'deny-reason',
  [SLACK_IDS.revokeCallback]: 'revoke-reason',
};

/** The interaction, or undefined for payloads Keyholder does not act on (other buttons, other dialogs). */
export function parseInteraction(rawBody: string): SlackInteraction | undefined {
  const payloadJson = new URLSearchParams(rawBody).get('payload');
  if (!payloadJson) throw new ValidationError('payload', 'payload is missing');
  let payload: unknown;
  try {
    payload = JSON.parse(payloadJson);
  } catch {
    throw new ValidationError('payload', 'payload is not JSON');
  }
  const type = (payload as { type?: unknown }).type;
  if (type === 'block_actions') {
    const parsed = blockActions.safeParse(payload);
    if (!parsed.success) throw new ValidationError('payload', 'block_actions payload is malformed');
    const { user, trigger_id, container, channel, message, actions } = parsed.data;
    const action = actions.find((candidate) => Object.hasOwn(BUTTONS, candidate.action_id));
    const channelId = container?.channel_id ?? channel?.id;
    const ts = container?.message_ts ?? message?.ts;
    const button = action && BUTTONS[action.action_id];
    if (!action?.value || !button || !channelId || !ts) return undefined;
    return {
      kind: 'button',
      action: button,
      requestId: action.value,
      slackUserId: user.id,
      prompt: { channel: channelId, ts },
      triggerId: trigger_id,
    };
  }
  if (type === 'view_submission') {
    const parsed = viewSubmission.safeParse(payload);
    if (!parsed.success) throw new ValidationError('payload', 'view_submission payload is malformed');
    const { user, view } = parsed.data;
    const dialog = Object.hasOwn(DIALOGS, view.callback_id) ? DIALOGS[view.callback_id] : undefined;
    if (!dialog) return undefined;
    let metadata: unknown;
    try {
      metadata = JSON.parse(view.private_metadata);
    } catch {
      throw new ValidationError('private_metadata', 'private_metadata is not JSON');
    }
    const prompt = promptMetadata.safeParse(metadata);
    if (!prompt.success) throw new ValidationError('private_metadata', 'private_metadata is malformed');
    return {
      kind: dialog,
      requestId: prompt.data.requestId,
      slackUserId: user.id,
      prompt: { channel: prompt.data.channel, ts: prompt.data.ts },
      reason: view.state.values[SLACK_IDS.reasonBlock]?.[SLACK_IDS.reasonAction]?.value ?? '',
    };
  }
  return undefined;
}

/** Slack only needs a fast 200; an empty body also closes a submitted dialog, `errors` keeps it open. */
export function slackResponse(answer: InteractionAnswer | undefined): APIGatewayProxyStructuredResultV2 {
  if (answer?.kind === 'field-error') {
    return {
      statusCode: 200,
      headers: { 'content-type': 'application/json; charset=utf-8', ...SECURITY_HEADERS },
      body: JSON.stringify({ response_action: 'errors', errors: { [answer.field]: answer.message } }),
    };
  }
  return { statusCode: 200, headers: { ...SECURITY_HEADERS }, body: '' };
}
