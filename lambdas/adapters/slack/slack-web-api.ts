// ChatApprovals (and its part the interactions function uses) and the Slack Notifier on Slack's Web API, through
// our own small fetch client (./slack-api.ts).
// Locally the same client talks to the fake Slack (local/fake-slack.ts) through `slackApiUrl`.
import type { Principal } from '../../core/model.ts';
import type {
  ApprovalPromptView,
  ChatApprovals,
  ChatMessageRef,
  DenyReasonContext,
  Notice,
  Notifier,
  ReviewPromptView,
} from '../../core/ports.ts';
import {
  approvalPromptMessage,
  denyReasonModal,
  noticeMessage,
  reviewPromptMessage,
  type SlackMessage,
} from '../../presentation/slack-blocks.ts';
import type { InteractionReplies } from '../../use-cases/slack-interaction.ts';
import type { SlackSecrets } from './secrets.ts';
import { SlackApi } from './slack-api.ts';

export interface SlackConnectionOptions {
  readonly secrets: () => Promise<SlackSecrets>;
  /** @default Slack's own https://slack.com/api/ */
  readonly slackApiUrl?: string | undefined;
  /** Per call; an interaction must be answered within 3 s, so no single call may take long. @default 2500 */
  readonly timeoutMs?: number;
}

/** One client per cold start, built once the bot token has been read. */
export class SlackConnection {
  readonly #options: SlackConnectionOptions;
  #client: Promise<SlackApi> | undefined;

  constructor(options: SlackConnectionOptions) {
    this.#options = options;
  }

  client(): Promise<SlackApi> {
    // No retries in the client: the use cases retry with their own budget and audit each failure; a rate-limited
    // call fails at once (SlackApiError `rate-limited`, with Retry-After) instead of holding a click hostage.
    this.#client ??= this.#options.secrets().then(
      (secrets) =>
        new SlackApi({
          token: secrets.botToken,
          baseUrl: this.#options.slackApiUrl,
          timeoutMs: this.#options.timeoutMs ?? 2500,
        }),
    );
    this.#client.catch(() => {
      this.#client = undefined;
    });
    return this.#client;
  }

  async signingSecret(): Promise<string> {
    return (await this.#options.secrets()).signingSecret;
  }

  /** The expected workspace's team id, when the secret names one. */
  async teamId(): Promise<string | undefined> {
    return (await this.#options.secrets()).teamId;
  }
}

/**
 * The interactions function's side of ChatApprovals: it renders the review prompt and the reason dialog only, so
 * the approval prompt's rendering (posted and redrawn by the notifier) stays out of its bundle.
 */
export class SlackInteractionChat implements InteractionReplies {
  protected readonly connection: SlackConnection;

  constructor(connection: SlackConnection) {
    this.connection = connection;
  }

  updateReviewPrompt(ref: ChatMessageRef, view: ReviewPromptView): Promise<void> {
    return this.update(ref, reviewPromptMessage(view));
  }

  async explain(where: { readonly channel: string; readonly user: string }, text: string): Promise<void> {
    const client = await this.connection.client();
    await client.call('chat.postEphemeral', { channel: where.channel, user: where.user, text });
  }

  async askDenyReason(triggerId: string, context: DenyReasonContext): Promise<void> {
    const client = await this.connection.client();
    await client.call('views.open', { trigger_id: triggerId, view: denyReasonModal(context) });
  }

  protected async update(ref: ChatMessageRef, message: SlackMessage): Promise<void> {
    const client = await this.connection.client();
    await client.call('chat.update', {
      channel: ref.channel,
      ts: ref.ts,
      text: message.text,
      blocks: message.blocks,
    });
  }
}

/** All of ChatApprovals: the interaction replies, and posting and redrawing the approval and review prompts. */
export class SlackChatApprovals extends SlackInteractionChat implements ChatApprovals {
  postPrompt(approver: Principal, view: ApprovalPromptView): Promise<ChatMessageRef> {
    return this.#post(approver, approvalPromptMessage(view));
  }

  updatePrompt(ref: ChatMessageRef, view: ApprovalPromptView): Promise<void> {
    return this.update(ref, approvalPromptMessage(view));
  }

  postReviewPrompt(reviewer: Principal, view: ReviewPromptView): Promise<ChatMessageRef> {
    return this.#post(reviewer, reviewPromptMessage(view));
  }

  async #post(approver: Principal, message: SlackMessage): Promise<ChatMessageRef> {
    if (!approver.slackUserId) throw new Error(`${approver.id} has no Slack user id`);
    const client = await this.connection.client();
    // Posting to a user id delivers to the app's direct message with that user; the answer names that channel.
    const result = await client.call('chat.postMessage', {
      channel: approver.slackUserId,
      text: message.text,
      blocks: message.blocks,
      unfurl_links: false,
    });
    if (typeof result.channel !== 'string' || typeof result.ts !== 'string' || !result.channel || !result.ts)
      throw new Error('chat.postMessage answered without channel and ts');
    return { channel: result.channel, ts: result.ts };
  }
}

export class SlackNotifier implements Notifier {
  readonly channel = 'slack' as const;
  readonly #connection: SlackConnection;

  constructor(connection: SlackConnection) {
    this.#connection = connection;
  }

  reaches(recipient: Principal): boolean {
    return Boolean(recipient.slackUserId);
  }

  async send(recipient: Principal, notice: Notice): Promise<{ messageId: string }> {
    if (!recipient.slackUserId) throw new Error(`${recipient.id} has no Slack user id`);
    const message = noticeMessage(notice);
    const client = await this.#connection.client();
    const result = await client.call('chat.postMessage', {
      channel: recipient.slackUserId,
      text: message.text,
      blocks: message.blocks,
      unfurl_links: false,
    });
    const channel = typeof result.channel === 'string' ? result.channel : recipient.slackUserId;
    return { messageId: `${channel}/${typeof result.ts === 'string' ? result.ts : ''}` };
  }
}
