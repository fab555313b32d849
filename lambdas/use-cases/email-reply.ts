// An approver decides by replying to the approval email. The reply counts only when it reached the approver's
// personal reply address, SES's SPF, DKIM and DMARC checks all passed, it comes From the approver the address
// was issued to, and its first own line says `approve` or `deny <reason>`. Otherwise nothing changes and the
// sender is told why, except for mail that failed authentication, or that comes from an address no principal in the
// directory has: that is logged and counted, never answered (a forged or stranger's From would turn our answer into
// backscatter). Answers never echo the message: only the request id.
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logger } from '../commons/observability.ts';
import { metrics } from '../commons/powertools-metrics.ts';
import { KeyholderError } from '../core/errors.ts';
import { nothingToDecide } from '../core/lifecycle.ts';
import type { ApprovalTokenRecord, EmailMessage } from '../core/ports.ts';
import {
  failedVerdicts,
  isAutomatedMail,
  isDirectoryAddress,
  type MailVerdicts,
  parseReplyCommand,
  replyTokenOf,
} from '../core/reply-parsing.ts';
import { replyRecordedEmail, replyRefusedEmail } from '../presentation/notification-email.ts';
import type { Dependencies } from './context.ts';
import { decideOnRequest } from './decide-request.ts';
import { hashToken } from './link-token.ts';
import { deliver, recordDeliveries } from './notify-delivery.ts';

export interface InboundReply {
  /** SES's envelope recipients. */
  readonly recipients: readonly string[];
  readonly from: string | undefined;
  /** Every From address; more than one cannot be one approver's decision. Absent: just `from`. */
  readonly fromAddresses?: readonly string[] | undefined;
  /** The Sender header's address, when the message has one. */
  readonly sender?: string | undefined;
  /** Why the body could not be read, when it could not. */
  readonly unreadable?: string | undefined;
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
  | 'AMBIGUOUS'
  | 'UNREADABLE'
  | 'DENY_NEEDS_REASON'
  | 'ALREADY_DECIDED'
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
  const failed = failedVerdicts(reply.verdicts);
  if (failed.length > 0) {
    // Never answered: the From of unauthenticated mail may be anyone's, and an answer would be backscatter.
    logger.warn({ message: 'email reply unauthenticated', verdicts: failed });
    metrics.addMetric('EmailRepliesUnauthenticated', MetricUnit.Count, 1);
    return {
      kind: 'refused',
      code: 'AUTHENTICATION_FAILED',
      reason: `Keyholder did not act on your reply because the message could not be authenticated as coming from your mail domain (${failed.join(', ')}).`,
    };
  }
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
  const approver = await deps.directory.getPrincipal(record.approverId);
  const fromAddresses = reply.fromAddresses ?? (reply.from ? [reply.from] : []);
  if (approver && (fromAddresses.length > 1 || (reply.sender && reply.sender !== reply.from))) {
    // `From: <director>, attacker@…` or a Sender on someone's behalf: not one approver's own decision. Told to
    // the approver's directory address, never to an address the message supplied.
    return refuse(
      deps,
      { ...reply, from: approver.email },
      record,
      'WRONG_SENDER',
      'it names more than one sender (several From addresses, or a Sender other than the From); replies are accepted only from the approver alone.',
    );
  }
  if (!approver || !reply.from || fromAddresses.length !== 1 || reply.from !== approver.email.toLowerCase()) {
    const why = 'replies to this address are accepted only from the approver the approval email was sent to.';
    if (!isDirectoryAddress(await deps.directory.listPrincipals(), reply.from)) {
      // A stranger, perhaps passing SPF and DKIM for a domain of their own: never answered, as an answer naming
      // the request would be backscatter (and would tell them the address is live).
      logger.warn({
        message: 'email reply from a stranger',
        code: 'WRONG_SENDER',
        requestId: record.requestId,
      });
      metrics.addMetric('EmailRepliesFromStrangers', MetricUnit.Count, 1);
      return {
        kind: 'refused',
        code: 'WRONG_SENDER',
        reason: refusalReason(why),
        requestId: record.requestId,
      };
    }
    return refuse(deps, reply, record, 'WRONG_SENDER', why);
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
  if (reply.unreadable) {
    return refuse(deps, reply, record, 'UNREADABLE', `${reply.unreadable}. Please reply in plain text.`);
  }
  const command = parseReplyCommand(reply.text);
  if (command.kind === 'none') {
    return refuse(
      deps,
      reply,
      record,
      'NO_COMMAND',
      'its first line of your own is neither "approve" nor "deny <reason>".',
    );
  }
  if (command.kind === 'ambiguous') {
    return refuse(
      deps,
      reply,
      record,
      'AMBIGUOUS',
      'it does not say one clear thing (a question, both words, or an approve and a deny). Please reply with one clear word on the first line: "approve", or "deny <reason>".',
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
    const current = await deps.store.getRequest(record.requestId);
    const open =
      current?.status === 'PENDING_APPROVAL' ||
      (current?.status === 'ACTIVE' && current.extension?.status === 'PENDING');
    if (current && !open) {
      return refuse(deps, reply, record, 'ALREADY_DECIDED', `${nothingToDecide(current).message}.`);
    }
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
  const reason = refusalReason(why);
  logger.warn({ message: 'email reply refused', code, requestId: record?.requestId });
  if (reply.from) {
    // The subject is ours, not the sender's: an answer carries nothing from the message but the request id.
    const subject = record
      ? `Keyholder: your reply about request ${record.requestId}`
      : 'Keyholder: your reply';
    await answer(
      deps,
      record?.requestId,
      'reply-refused',
      replyRefusedEmail({ to: reply.from, subject, reason }),
    );
  }
  return { kind: 'refused', code, reason, requestId: record?.requestId };
}

function refusalReason(why: string): string {
  return `Keyholder did not act on your reply because ${why}`;
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
