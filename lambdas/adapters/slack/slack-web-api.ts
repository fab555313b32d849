// ChatApprovals and the Slack Notifier on Slack's Web API (@slack/web-api). Locally the same client talks to the
// fake Slack (local/fake-slack.ts) through `slackApiUrl`.
import { LogLevel, WebClient } from '@slack/web-api';
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
import type { SlackSecrets } from './secrets.ts';

export interface SlackConnectionOptions {
  readonly secrets: () => Promise<SlackSecrets>;
  /** @default Slack's own https://slack.com/api/ */
  readonly slackApiUrl?: string | undefined;
  /** Per call; an interaction must be answered within 3 s, so no single call may take long. @default 2500 */
  readonly timeoutMs?: number;
}

/** One WebClient per cold start, built once the bot token has been read. */
export class SlackConnection {
  readonly #options: SlackConnectionOptions;
  #client: Promise<WebClient> | undefined;

  constructor(options: SlackConnectionOptions) {
    this.#options = options;
  }

  client(): Promise<WebClient> {
    this.#client ??= this.#options.secrets().then(
      (secrets) =>
        new WebClient(secrets.botToken, {
          slackApiUrl: this.#options.slackApiUrl,
          // The use cases retry with their own budget and audit each failure; the client's default retries for
          // up to 30 minutes, which would hold a Lambda (and an approver's click) hostage.
          retryConfig: { retries: 0 },
          rejectRateLimitedCalls: true,
          timeout: this.#options.timeoutMs ?? 2500,
          logLevel: LogLevel.ERROR,
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

export class SlackChatApprovals implements ChatApprovals {
  readonly #connection: SlackConnection;

  constructor(connection: SlackConnection) {
    this.#connection = connection;
  }

  postPrompt(approver: Principal, view: ApprovalPromptView): Promise<ChatMessageRef> {
    return this.#post(approver, approvalPromptMessage(view));
  }

  updatePrompt(ref: ChatMessageRef, view: ApprovalPromptView): Promise<void> {
    return this.#update(ref, approvalPromptMessage(view));
  }

  postReviewPrompt(reviewer: Principal, view: ReviewPromptView): Promise<ChatMessageRef> {
    return this.#post(reviewer, reviewPromptMessage(view));
  }

  updateReviewPrompt(ref: ChatMessageRef, view: ReviewPromptView): Promise<void> {
    return this.#update(ref, reviewPromptMessage(view));
  }

  async #post(approver: Principal, message: SlackMessage): Promise<ChatMessageRef> {
    if (!approver.slackUserId) throw new Error(`${approver.id} has no Slack user id`);
    const client = await this.#connection.client();
    // Posting to a user id delivers to the app's direct message with that user; the answer names that channel.
    const result = await client.chat.postMessage({
      channel: approver.slackUserId,
      text: message.text,
      blocks: [...message.blocks] as never,
      unfurl_links: false,
    });
    if (!result.channel || !result.ts) throw new Error('chat.postMessage answered without channel and ts');
    return { channel: result.channel, ts: result.ts };
  }

  async #update(ref: ChatMessageRef, message: SlackMessage): Promise<void> {
    const client = await this.#connection.client();
    await client.chat.update({
      channel: ref.channel,
      ts: ref.ts,
      text: message.text,
      blocks: [...message.blocks] as never,
    });
  }

  async explain(where: { readonly channel: string; readonly user: string }, text: string): Promise<void> {
    const client = await this.#connection.client();
    await client.chat.postEphemeral({ channel: where.channel, user: where.user, text });
  }

  async askDenyReason(triggerId: string, context: DenyReasonContext): Promise<void> {
    const client = await this.#connection.client();
    await client.views.open({ trigger_id: triggerId, view: denyReasonModal(context) as never });
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
    const result = await client.chat.postMessage({
      channel: recipient.slackUserId,
      text: message.text,
      blocks: [...message.blocks] as never,
      unfurl_links: false,
    });
    return { messageId: `${result.channel ?? recipient.slackUserId}/${result.ts ?? ''}` };
  }
}
