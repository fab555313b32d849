// An approver answers in Slack: Approve decides at once, Deny asks for the reason in a dialog and decides when
// it is submitted. The Slack user is mapped to a principal and checked against the approver rules now, by the
// same decideOnRequest as every other channel; anyone who may not decide is told why and nothing changes.
import { KeyholderError } from '../core/errors.ts';
import { decideRequest } from '../core/lifecycle.ts';
import type { Principal } from '../core/model.ts';
import type { ChatMessageRef } from '../core/ports.ts';
import { type Dependencies, loadRequest } from './context.ts';
import { decideOnRequest } from './decide-request.ts';
import { describe } from './notify-delivery.ts';

export type SlackInteraction =
  | {
      readonly kind: 'button';
      readonly action: 'approve' | 'deny';
      readonly requestId: string;
      readonly slackUserId: string;
      readonly prompt: ChatMessageRef;
      readonly triggerId: string;
    }
  | {
      readonly kind: 'deny-reason';
      readonly requestId: string;
      readonly slackUserId: string;
      readonly prompt: ChatMessageRef;
      readonly reason: string;
    };

export type InteractionAnswer =
  | { readonly kind: 'done'; readonly note?: string | undefined }
  /** Shown under the dialog's field; the dialog stays open. */
  | { readonly kind: 'field-error'; readonly field: 'reason'; readonly message: string };

export class SlackNotConfiguredError extends KeyholderError {
  constructor() {
    super('unavailable', 'SLACK_NOT_CONFIGURED', 'Slack is not configured for this Keyholder');
  }
}

export async function answerSlackInteraction(
  deps: Dependencies,
  interaction: SlackInteraction,
): Promise<InteractionAnswer> {
  const chat = deps.chatApprovals;
  if (!chat) throw new SlackNotConfiguredError();
  const where = { channel: interaction.prompt.channel, user: interaction.slackUserId };
  const tell = async (note: string): Promise<InteractionAnswer> => {
    await chat.explain(where, note).catch((error: unknown) => {
      console.warn(JSON.stringify({ message: 'ephemeral explanation failed', error: describe(error) }));
    });
    return { kind: 'done', note };
  };

  const approver = await principalOfSlackUser(deps, interaction.slackUserId);
  if (!approver) {
    return tell(
      'Your Slack account is not linked to anyone in the Keyholder directory, so nothing was recorded.',
    );
  }
  if (interaction.kind === 'deny-reason' && !interaction.reason.trim()) {
    return {
      kind: 'field-error',
      field: 'reason',
      message: 'Say why the request is denied; the requester will see it.',
    };
  }
  try {
    if (interaction.kind === 'button' && interaction.action === 'deny') {
      // Checked before the dialog opens, so nobody types a reason only to be refused.
      await assertMayDecide(deps, interaction.requestId, approver);
      await chat.askDenyReason(interaction.triggerId, {
        requestId: interaction.requestId,
        summary: `Deny request ${interaction.requestId}?`,
        prompt: interaction.prompt,
      });
      return { kind: 'done' };
    }
    await decideOnRequest(deps, {
      requestId: interaction.requestId,
      approver,
      decision: interaction.kind === 'button' ? 'approve' : 'deny',
      comment: interaction.kind === 'deny-reason' ? interaction.reason : undefined,
      channel: 'slack',
    });
    return { kind: 'done' };
  } catch (error) {
    if (!(error instanceof KeyholderError)) throw error;
    return tell(explanation(error, interaction.requestId));
  }
}

/** The directory lookup is eventually consistent; the principal's own record is then read consistently. */
async function principalOfSlackUser(deps: Dependencies, slackUserId: string): Promise<Principal | undefined> {
  const found = await deps.directory.findPrincipalBySlackUserId(slackUserId);
  if (!found) return undefined;
  const current = await deps.directory.getPrincipal(found.id);
  return current?.slackUserId === slackUserId ? current : undefined;
}

/** The core's own decision rules, run without committing: the dialog opens only if a deny would be accepted. */
async function assertMayDecide(deps: Dependencies, requestId: string, approver: Principal): Promise<void> {
  const request = await loadRequest(deps, requestId);
  decideRequest({
    request,
    approver,
    decision: 'deny',
    comment: 'reason to follow',
    channel: 'slack',
    policy: deps.policy,
    now: deps.clock.now(),
  });
}

function explanation(error: KeyholderError, requestId: string): string {
  switch (error.code) {
    case 'ALREADY_DECIDED':
      return `Your decision on request ${requestId} was already recorded; a repeated click counts once.`;
    case 'NOT_PENDING':
      return `Request ${requestId} is no longer waiting for a decision (${error.message}); nothing was recorded.`;
    case 'SELF_APPROVAL':
    case 'NOT_ELIGIBLE_APPROVER':
      return `You cannot decide request ${requestId}: ${error.message}. Nothing was recorded.`;
    case 'NOT_FOUND':
      return `Request ${requestId} was not found; nothing was recorded.`;
    default:
      return `Nothing was recorded: ${error.message}`;
  }
}
