// An approver decides by replying to the approval email. The reply counts only when it reached the approver's
// personal reply address, SES's SPF, DKIM and DMARC checks all passed, it comes From the approver the address
// was issued to, and its first own line says `approve` or `deny <reason>`. Otherwise the sender is told why
// and nothing changes.
import { logger } from '../commons/observability.ts';
import { KeyholderError } from '../core/errors.ts';
import type { ApprovalTokenRecord, EmailMessage } from '../core/ports.ts';
import {
  failedVerdicts,
  isAutomatedMail,
  type MailVerdicts,
  parseReplyCommand,
  replyTokenOf,
} from '../core/reply-parsing.ts';
import { replyRecordedEmail, replyRefusedEmail } from '../presentation/notification-email.ts';
import type { Dependencies } from './context.ts';
import { decideOnRequest } from './decide-request.ts';
import { deliver, recordDeliveries } from './notify-delivery.ts';
import { hashToken } from './request-approval.ts';

export interface InboundReply {
  /** SES's envelope recipients. */
  readonly recipients: readonly string[];
  readonly from: string | undefined;
  readonly subject: string;
  readonly text: string;
  readonly verdicts: MailVerdicts;
  readonly autoSubmitted?: string | undefined;
  readonly precedence?: string | undefined;
}

export type ReplyRefusal =
  | 'NOT_A_REPLY_ADDRESS'
  | 'UNKNOWN_ADDRESS'
  | 'AUTHENTICATION_FAILED'
  | 'WRONG_SENDER'
  | 'ADDRESS_USED'
  | 'ADDRESS_EXPIRED'
  | 'NO_COMMAND'
  | 'DENY_NEEDS_REASON'
  | 'NOT_DECIDED';

export type ReplyOutcome =
  | { readonly kind: 'decided'; readonly requestId: string; readonly decision: 'approve' | 'deny' }
  | {
      readonly kind: 'refused';
      readonly code: ReplyRefusal;
      readonly reason: string;
      readonly requestId?: string;
    }
  /** Machine-sent mail (auto-replies, bounces): never answered, so no mail loop can start. */
  | { readonly kind: 'ignored'; readonly why: string };

const REPLIES = { type: 'system', id: 'api' } as const;

export async function decideByEmailReply(deps: Dependencies, reply: InboundReply): Promise<ReplyOutcome> {
  if (isAutomatedMail(reply)) return { kind: 'ignored', why: 'automated mail' };
  const domain = deps.replyDomain;
  const token = domain
    ? reply.recipients.map((address) => replyTokenOf(address, domain)).find(Boolean)
    : undefined;
  if (!token) {
    return refuse(
      deps,
      reply,
      undefined,
      'NOT_A_REPLY_ADDRESS',
      'it was not sent to a Keyholder reply address.',
    );
  }
  const found = await deps.store.findApprovalToken(hashToken(token));
  const record = found?.via === 'reply' ? found : undefined;
  if (!record) {
    return refuse(
      deps,
      reply,
      undefined,
      'UNKNOWN_ADDRESS',
      'the address it was sent to is not one Keyholder issued.',
    );
  }
  const failed = failedVerdicts(reply.verdicts);
  if (failed.length > 0) {
    return refuse(
      deps,
      reply,
      record,
      'AUTHENTICATION_FAILED',
      `the message could not be authenticated as coming from your mail domain (${failed.join(', ')}).`,
    );
  }
  const approver = await deps.directory.getPrincipal(record.approverId);
  if (!approver || !reply.from || reply.from !== approver.email.toLowerCase()) {
    return refuse(
      deps,
      reply,
      record,
      'WRONG_SENDER',
      'replies to this address are accepted only from the approver the approval email was sent to.',
    );
  }
  if (record.usedAt) {
    return refuse(
      deps,
      reply,
      record,
      'ADDRESS_USED',
      `a decision was already made with it at ${record.usedAt}.`,
    );
  }
  if (record.expiresAt <= deps.clock.now()) {
    return refuse(
      deps,
      reply,
      record,
      'ADDRESS_EXPIRED',
      `the approval window closed at ${record.expiresAt}.`,
    );
  }
  const command = parseReplyCommand(reply.text);
  if (command.kind === 'none') {
    const seen = command.firstLine ? ` (it starts "${command.firstLine.slice(0, 60)}")` : '';
    return refuse(
      deps,
      reply,
      record,
      'NO_COMMAND',
      `its first line is neither "approve" nor "deny <reason>"${seen}.`,
    );
  }
  if (command.kind === 'deny-without-reason') {
    return refuse(deps, reply, record, 'DENY_NEEDS_REASON', 'a deny needs a reason: "deny <reason>".');
  }
  const decision = command.kind === 'approve' ? 'approve' : 'deny';
  try {
    const decided = await decideOnRequest(deps, {
      requestId: record.requestId,
      approver,
      decision,
      comment: command.kind === 'approve' ? command.comment : command.reason,
      channel: 'email-reply',
      tokenHash: record.tokenHash,
    });
    await answer(
      deps,
      record.requestId,
      'reply-recorded',
      replyRecordedEmail({
        to: approver.email,
        requestId: record.requestId,
        decision,
        status: decided.status,
      }),
    );
    return { kind: 'decided', requestId: record.requestId, decision };
  } catch (error) {
    if (!(error instanceof KeyholderError)) throw error;
    return refuse(deps, reply, record, 'NOT_DECIDED', `${error.message}.`);
  }
}

async function refuse(
  deps: Dependencies,
  reply: InboundReply,
  record: ApprovalTokenRecord | undefined,
  code: ReplyRefusal,
  why: string,
): Promise<ReplyOutcome> {
  const reason = `Keyholder did not act on your reply because ${why}`;
  logger.warn({ message: 'email reply refused', code, requestId: record?.requestId });
  if (reply.from) {
    await answer(
      deps,
      record?.requestId,
      'reply-refused',
      replyRefusedEmail({ to: reply.from, subject: reply.subject, reason }),
    );
  }
  return { kind: 'refused', code, reason, requestId: record?.requestId };
}

/** Sends the answer; when it concerns a known request it is audited there like every other notification. */
async function answer(
  deps: Dependencies,
  requestId: string | undefined,
  kind: string,
  message: EmailMessage,
): Promise<void> {
  const delivery = await deliver('email', message.to, kind, () => deps.mailer.send(message));
  if (requestId) await recordDeliveries(deps, requestId, [delivery], REPLIES);
  else if (!delivery.ok) logger.warn({ message: 'reply answer failed', error: delivery.error });
}
