// The checks every emailed link's token passes before anything it names is read: its shape, that it is known and
// meant for this kind of link, unused and unexpired; and the hash every token is stored as. Approval and review
// links both start here.
import { createHash } from 'node:crypto';
import { NotFoundError, TokenGoneError } from '../core/errors.ts';
import type { ApprovalTokenRecord } from '../core/ports.ts';
import type { Dependencies } from './context.ts';

/** What a link's token is stored as and found by (SHA-256, hex): the token itself is only in the mail. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;

export async function usableLinkToken(
  deps: Pick<Dependencies, 'store' | 'clock'>,
  token: string,
  link: 'approval link' | 'review link',
  isForThisLink: (record: ApprovalTokenRecord) => boolean,
): Promise<{ readonly record: ApprovalTokenRecord; readonly now: string }> {
  if (!TOKEN_SHAPE.test(token)) throw new NotFoundError(link, 'given');
  const record = await deps.store.findApprovalToken(hashToken(token));
  if (!record || !isForThisLink(record)) throw new NotFoundError(link, 'given');
  if (record.usedAt) throw new TokenGoneError(`this link was already used at ${record.usedAt}`);
  const now = deps.clock.now();
  if (record.expiresAt <= now) throw new TokenGoneError(`this link expired at ${record.expiresAt}`);
  return { record, now };
}
