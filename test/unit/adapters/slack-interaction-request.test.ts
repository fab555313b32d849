// Reading Slack interaction requests: signature (401 on anything off), block_actions and view_submission payloads.
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import {
  assertFromWorkspace,
  assertSignedBySlack,
  parseInteraction,
  rawBodyOf,
  slackResponse,
} from '../../../lambdas/adapters/slack/interaction-request.ts';
import { UnauthenticatedError } from '../../../lambdas/core/errors.ts';
import { slackSignature } from '../../../lambdas/core/slack-signature.ts';

const form = (payload: unknown) => new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
const now = 1_795_900_000;

function event(body: string, headers: Record<string, string>, base64 = true): APIGatewayProxyEventV2 {
  return {
    headers,
    body: base64 ? Buffer.from(body).toString('base64') : body,
    isBase64Encoded: base64,
  } as unknown as APIGatewayProxyEventV2;
}

describe('assertSignedBySlack', () => {
  it('verifies the signature over the decoded raw body, and refuses anything else with 401', () => {
    // Prepare
    const body = form({ type: 'block_actions' });
    const signed = {
      'x-slack-request-timestamp': String(now),
      'x-slack-signature': slackSignature('s3cret', String(now), body),
    };
    const request = event(body, signed);
    // Act / Assess
    expect(rawBodyOf(request)).toBe(body);
    expect(() => assertSignedBySlack(request, body, 's3cret', now)).not.toThrow();
    expect(() => assertSignedBySlack(request, body, 'other', now)).toThrow(UnauthenticatedError);
    expect(() => assertSignedBySlack(event(body, {}), body, 's3cret', now)).toThrow(/MISSING_HEADERS/);
    expect(() => assertSignedBySlack(request, body, 's3cret', now + 301)).toThrow(/STALE_TIMESTAMP/);
  });
});

describe('parseInteraction', () => {
  it('reads an Approve click: who, which request, which message, the trigger', () => {
    const body = form({
      type: 'block_actions',
      user: { id: 'U0DIRADA' },
      trigger_id: '123.456',
      container: { type: 'message', channel_id: 'D0DIRADA', message_ts: '1795900000.000100' },
      actions: [{ action_id: 'approve', block_id: 'keyholder_decision', value: 'req-1', type: 'button' }],
    });
    expect(parseInteraction(body)).toEqual({
      kind: 'button',
      action: 'approve',
      requestId: 'req-1',
      slackUserId: 'U0DIRADA',
      prompt: { channel: 'D0DIRADA', ts: '1795900000.000100' },
      triggerId: '123.456',
    });
  });

  it('reads the submitted Deny dialog: the reason and the prompt it came from', () => {
    const body = form({
      type: 'view_submission',
      user: { id: 'U0DIRBEN' },
      view: {
        callback_id: 'keyholder_deny',
        private_metadata: JSON.stringify({ requestId: 'req-2', channel: 'D0DIRBEN', ts: '1.2' }),
        state: { values: { reason: { reason: { type: 'plain_text_input', value: 'Not needed' } } } },
      },
    });
    expect(parseInteraction(body)).toEqual({
      kind: 'deny-reason',
      requestId: 'req-2',
      slackUserId: 'U0DIRBEN',
      prompt: { channel: 'D0DIRBEN', ts: '1.2' },
      reason: 'Not needed',
    });
  });

  it('reads Keep and Revoke clicks on a review prompt', () => {
    const clickOn = (actionId: string) =>
      form({
        type: 'block_actions',
        user: { id: 'U0DIRBEN' },
        trigger_id: '7.8',
        channel: { id: 'D0DIRBEN' },
        message: { ts: '1.5' },
        actions: [{ action_id: actionId, block_id: 'keyholder_review', value: 'req-3', type: 'button' }],
      });
    const expected = {
      kind: 'button',
      requestId: 'req-3',
      slackUserId: 'U0DIRBEN',
      prompt: { channel: 'D0DIRBEN', ts: '1.5' },
      triggerId: '7.8',
    };
    expect(parseInteraction(clickOn('keep'))).toEqual({ ...expected, action: 'keep' });
    expect(parseInteraction(clickOn('revoke'))).toEqual({ ...expected, action: 'revoke' });
  });

  it('reads the submitted Revoke dialog as a revoke reason, an empty field as an empty reason', () => {
    const submitted = (value: string | null) =>
      form({
        type: 'view_submission',
        user: { id: 'U0EXDCLEO' },
        view: {
          callback_id: 'keyholder_revoke',
          private_metadata: JSON.stringify({ requestId: 'req-4', channel: 'D0EXDCLEO', ts: '3.4' }),
          state: { values: { reason: { reason: { type: 'plain_text_input', value } } } },
        },
      });
    const expected = {
      kind: 'revoke-reason',
      requestId: 'req-4',
      slackUserId: 'U0EXDCLEO',
      prompt: { channel: 'D0EXDCLEO', ts: '3.4' },
    };
    expect(parseInteraction(submitted('The incident is closed'))).toEqual({
      ...expected,
      reason: 'The incident is closed',
    });
    expect(parseInteraction(submitted(null))).toEqual({ ...expected, reason: '' });
  });

  it('ignores inherited names as action ids and callback ids', () => {
    expect(
      parseInteraction(
        form({
          type: 'block_actions',
          user: { id: 'U1' },
          trigger_id: 't',
          container: { channel_id: 'D1', message_ts: '1.1' },
          actions: [{ action_id: 'toString', value: 'req-1' }],
        }),
      ),
    ).toBeUndefined();
    expect(
      parseInteraction(
        form({
          type: 'view_submission',
          user: { id: 'U1' },
          view: { callback_id: 'constructor', private_metadata: '{}', state: { values: {} } },
        }),
      ),
    ).toBeUndefined();
  });

  it('ignores other buttons and dialogs, and refuses malformed payloads', () => {
    expect(
      parseInteraction(
        form({
          type: 'block_actions',
          user: { id: 'U1' },
          trigger_id: 't',
          actions: [{ action_id: 'other' }],
        }),
      ),
    ).toBeUndefined();
    expect(parseInteraction(form({ type: 'shortcut' }))).toBeUndefined();
    expect(() => parseInteraction('nothing=here')).toThrow(/payload is missing/);
    expect(() => parseInteraction('payload=%7Bnot-json')).toThrow(/not JSON/);
    expect(() => parseInteraction(form({ type: 'block_actions' }))).toThrow(/malformed/);
  });
});

describe('slackResponse', () => {
  it('answers an empty 200, or the field errors that keep a dialog open', () => {
    expect(slackResponse({ kind: 'done' })).toMatchObject({ statusCode: 200, body: '' });
    const errors = slackResponse({ kind: 'field-error', field: 'reason', message: 'Say why' });
    expect(JSON.parse(errors.body ?? '')).toEqual({
      response_action: 'errors',
      errors: { reason: 'Say why' },
    });
  });
});

describe('assertFromWorkspace', () => {
  it("refuses a signed action from another workspace's team with 401, when the team id is configured", () => {
    const ours = form({ type: 'block_actions', team: { id: 'T0KEYHOLDER' }, user: { id: 'U1' } });
    const theirs = form({ type: 'block_actions', team: { id: 'T0OTHER' }, user: { id: 'U1' } });
    const userOnly = form({ type: 'view_submission', user: { id: 'U1', team_id: 'T0KEYHOLDER' } });
    const none = form({ type: 'block_actions', user: { id: 'U1' } });
    expect(() => assertFromWorkspace(ours, 'T0KEYHOLDER')).not.toThrow();
    expect(() => assertFromWorkspace(userOnly, 'T0KEYHOLDER')).not.toThrow();
    expect(() => assertFromWorkspace(theirs, 'T0KEYHOLDER')).toThrow(UnauthenticatedError);
    expect(() => assertFromWorkspace(none, 'T0KEYHOLDER')).toThrow(UnauthenticatedError);
    expect(() => assertFromWorkspace(theirs, undefined)).not.toThrow();
  });
});
