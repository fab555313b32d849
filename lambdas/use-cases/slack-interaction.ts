// An approver or reviewer answers in Slack: Approve and Keep decide at once, Deny and Revoke ask for the reason
// in a dialog and decide when it is submitted. The Slack user is mapped to a principal and checked against the
// rules now, by the same decideOnRequest / decideReview as every other channel; anyone who may not decide is
// told why and nothing changes.
import { logger } from '../commons/observability.ts';
import { KeyholderError } from '../core/errors.ts';
import { decideRequest } from '../core/lifecycle.ts';
import type { Principal } from '../core/model.ts';
import type { ChatApprovals, ChatMessageRef } from '../core/ports.ts';
import { answerReview } from '../core/review.ts';
import { catalogueOf, type Dependencies, loadRequest } from './context.ts';
import { decideOnRequest } from './decide-request.ts';
import { describe } from './notify-delivery.ts';
import { decideReview } from './review-decision.ts';

export type SlackInteraction =
  | {
      readonly kind: 'button';
      readonly action: 'approve' | 'deny' | 'keep' | 'revoke';
      readonly requestId: string;
      readonly slackUserId: string;
      readonly prompt: ChatMessageRef;
      readonly triggerId: string;
    }
  | {
      readonly kind: 'deny-reason' | 'revoke-reason';
      readonly requestId: string;
      readonly slackUserId: string;
      readonly prompt: ChatMessageRef;
      readonly reason: string;
    };

export type InteractionAnswer =
  | { readonly kind: 'done'; readonly note?: string | undefined }
  /** Shown under the dialog's field; the dialog stays open. */
  | { readonly kind: 'field-error'; readonly field: 'reason'; readonly message: string };

/** What answering a click needs of Slack: the ephemeral explanation, the reason dialog, the review prompt's redraw. */
export type InteractionReplies = Pick<ChatApprovals, 'explain' | 'askDenyReason' | 'updateReviewPrompt'>;

export class SlackNotConfiguredError extends KeyholderError {
  constructor() {
    super('unavailable', 'SLACK_NOT_CONFIGURED', 'Slack is not configured for this Keyholder');
  }
}

/** Answers one click or dialog submission through `chat` (the Slack replies of the interactions function). */
export async function answerSlackInteraction(
  deps: Dependencies,
  chat: InteractionReplies,
  interaction: SlackInteraction,
): Promise<InteractionAnswer> {
  const where = { channel: interaction.prompt.channel, user: interaction.slackUserId };
  const tell = async (note: string): Promise<InteractionAnswer> => {
    await chat.explain(where, note).catch((error: unknown) => {
      logger.warn({ message: 'ephemeral explanation failed', error: describe(error) });
    });
    return { kind: 'done', note };
  };

  const approver = await principalOfSlackUser(deps, interaction.slackUserId);
  if (!approver) {
    return tell(
      'Your Slack account is not linked to anyone in the Keyholder directory, so nothing was recorded.',
    );
  }
  if (interaction.kind !== 'button' && !interaction.reason.trim()) {
    return {
      kind: 'field-error',
      field: 'reason',
      message:
        interaction.kind === 'deny-reason'
          ? 'Say why the request is denied; the requester will see it.'
          : 'Say why the access is revoked; the holder will see it.',
    };
  }
  try {
    if (isReview(interaction)) return await answerReviewInSlack(deps, chat, interaction, approver);
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

const isReview = (interaction: SlackInteraction) =>
  interaction.kind === 'revoke-reason' ||
  (interaction.kind === 'button' && (interaction.action === 'keep' || interaction.action === 'revoke'));

/** Keep decides now; Revoke opens the reason dialog, and its submission revokes. The clicked prompt is redrawn. */
async function answerReviewInSlack(
  deps: Dependencies,
  chat: InteractionReplies,
  interaction: SlackInteraction,
  reviewer: Principal,
): Promise<InteractionAnswer> {
  if (interaction.kind === 'button' && interaction.action === 'revoke') {
    // Checked before the dialog opens, so nobody types a reason only to be refused.
    const request = await loadRequest(deps, interaction.requestId);
    answerReview({
      request,
      reviewer,
      decision: 'revoke',
      comment: 'reason to follow',
      channel: 'slack',
      policy: deps.policy,
      now: deps.clock.now(),
    });
    await chat.askDenyReason(interaction.triggerId, {
      decision: 'revoke',
      requestId: interaction.requestId,
      summary: `Revoke the access granted by request ${interaction.requestId}?`,
      prompt: interaction.prompt,
    });
    return { kind: 'done' };
  }
  const decided = await decideReview(deps, {
    requestId: interaction.requestId,
    reviewer,
    decision: interaction.kind === 'button' ? 'keep' : 'revoke',
    comment: interaction.kind === 'button' ? undefined : interaction.reason,
    channel: 'slack',
  });
  const [holder, datasets] = await Promise.all([
    deps.directory.getPrincipal(decided.requester),
    catalogueOf(deps),
  ]);
  await chat
    .updateReviewPrompt(interaction.prompt, { request: decided, holder, reviewer, datasets })
    .catch((error) => {
      logger.warn({ message: 'redrawing the review prompt failed', error: describe(error) });
    });
  return { kind: 'done' };
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
    case 'NO_REVIEW_OPEN':
      return `No review of request ${requestId} is waiting for an answer (it was already answered, or there is none); nothing was recorded.`;
    case 'REVIEW_CLOSED':
    case 'NOT_ACTIVE':
      return `The review of request ${requestId} is closed (${error.message}); nothing was recorded.`;
    default:
      return `Nothing was recorded: ${error.message}`;
  }
}
