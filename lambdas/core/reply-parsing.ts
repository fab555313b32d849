// Deciding by email reply: the per-approver reply address, the command on the reply's first own line, and the
// sender-authentication verdicts a reply must carry before it may decide anything.

export type ReplyCommand =
  | { readonly kind: 'approve'; readonly comment?: string | undefined }
  | { readonly kind: 'deny'; readonly reason: string }
  | { readonly kind: 'deny-without-reason' }
  | { readonly kind: 'none'; readonly firstLine?: string | undefined };

const REPLY_LOCAL_PART = 'approvals';
/** 32 random bytes in lowercase base32: 52 characters, so `approvals+<token>` fits the 64-octet local-part limit. */
const REPLY_TOKEN_SHAPE = /^[a-z2-7]{52}$/;
const BASE32_ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';

/** Lines that start quoted history or a signature: nothing after them is the approver's own words. */
const HISTORY_STARTS = [
  /^on\b.*\bwrote:?$/i, // Gmail, Apple Mail, Thunderbird attribution
  /^-{2,}\s*original message\s*-{2,}$/i, // Outlook
  /^_{8,}$/, // Outlook separator
  /^from:\s.+/i, // Outlook header block
  /^begin forwarded message:?$/i,
  /^sent from my\b/i, // mobile signature
];
const SIGNATURE_SEPARATOR = /^--\s*$/;

/** Normalises what mail clients put around words: CRLF, non-breaking and zero-width spaces. */
function linesOf(text: string): string[] {
  return text
    .replace(/\r\n?/g, '\n')
    .replace(/[\u00a0\u2007\u202f]/g, ' ')
    .replace(/[\u200b-\u200d\ufeff]/g, '')
    .split('\n')
    .map((line) => line.trim());
}

const isQuoted = (line: string) => line.startsWith('>');
const startsHistory = (line: string) =>
  SIGNATURE_SEPARATOR.test(line) || HISTORY_STARTS.some((pattern) => pattern.test(line));

/** Attribution lines may wrap: "On Mon, 1 Dec 2026, Keyholder <" / "keyholder@example.org> wrote:". */
function attributionLength(lines: readonly string[], index: number): number {
  if (!/^on\s/i.test(lines[index] ?? '')) return 0;
  for (let length = 1; length <= 3; length++) {
    if (/\bwrote:?$/i.test(lines[index + length - 1] ?? '')) return length;
  }
  return 0;
}

function firstOwnLine(lines: readonly string[]): number {
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index] ?? '';
    if (line === '' || isQuoted(line)) continue;
    const attribution = attributionLength(lines, index);
    if (attribution > 0) {
      index += attribution - 1;
      continue;
    }
    return index;
  }
  return -1;
}

/**
 * The command on the first line that is the sender's own: quoted lines (`>`) and an attribution line such as
 * "On Mon, Keyholder wrote:" are skipped, so top- and bottom-posted replies both work. `approve [comment]`
 * or `deny <reason>`; a deny's reason may continue on the following lines of the same paragraph.
 */
export function parseReplyCommand(text: string): ReplyCommand {
  const lines = linesOf(text);
  const start = firstOwnLine(lines);
  const first = start === -1 ? undefined : lines[start];
  if (first === undefined || SIGNATURE_SEPARATOR.test(first)) return { kind: 'none' };
  const approve = /^approved?(?![\p{L}\p{N}])[\s:.,;!-]*(.*)$/iu.exec(first);
  if (approve) return { kind: 'approve', comment: approve[1]?.trim() || undefined };
  const deny = /^(?:deny|denied)(?![\p{L}\p{N}])[\s:.,;!-]*(.*)$/iu.exec(first);
  if (!deny) return { kind: 'none', firstLine: first.slice(0, 200) };
  const reason = [deny[1]?.trim() ?? ''];
  for (const line of lines.slice(start + 1)) {
    if (line === '' || isQuoted(line) || startsHistory(line)) break;
    reason.push(line);
  }
  const joined = reason.filter(Boolean).join(' ').trim();
  return joined ? { kind: 'deny', reason: joined.slice(0, 4000) } : { kind: 'deny-without-reason' };
}

/** Turns an IdGenerator secret (base64url of 32 random bytes) into a case-insensitive reply token. */
export function replyTokenFromSecret(secret: string): string {
  const bytes = Buffer.from(secret, 'base64url');
  let bits = 0;
  let value = 0;
  let token = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      token += BASE32_ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) token += BASE32_ALPHABET[(value << (5 - bits)) & 31];
  return token;
}

export function replyAddress(token: string, domain: string): string {
  return `${REPLY_LOCAL_PART}+${token}@${domain}`;
}

/** The token of a reply address at our inbound domain, or undefined for any other address. */
export function replyTokenOf(address: string, domain: string): string | undefined {
  const at = address.lastIndexOf('@');
  if (at < 0 || address.slice(at + 1).toLowerCase() !== domain.toLowerCase()) return undefined;
  const local = address.slice(0, at).toLowerCase();
  const prefix = `${REPLY_LOCAL_PART}+`;
  if (!local.startsWith(prefix)) return undefined;
  const token = local.slice(prefix.length);
  return REPLY_TOKEN_SHAPE.test(token) ? token : undefined;
}

/** SES receipt verdicts (`PASS`, `FAIL`, `GRAY`, `PROCESSING_FAILED`, `DISABLED`). */
export interface MailVerdicts {
  readonly spf: string;
  readonly dkim: string;
  readonly dmarc: string;
}

/** Every sender-authentication check must pass; anything else (including "not checked") refuses the reply. */
export function failedVerdicts(verdicts: MailVerdicts): string[] {
  return (['spf', 'dkim', 'dmarc'] as const)
    .filter((check) => verdicts[check].toUpperCase() !== 'PASS')
    .map((check) => `${check.toUpperCase()} ${verdicts[check].toUpperCase()}`);
}

/** Mail sent by a machine (auto-replies, bounces, our own notices) is never answered: that is how loops start. */
export function isAutomatedMail(headers: {
  readonly autoSubmitted?: string | undefined;
  readonly precedence?: string | undefined;
  readonly from?: string | undefined;
}): boolean {
  const autoSubmitted = headers.autoSubmitted?.trim().toLowerCase();
  if (autoSubmitted && autoSubmitted !== 'no') return true;
  if (/^(bulk|junk|list|auto_reply)$/i.test(headers.precedence?.trim() ?? '')) return true;
  return /^(mailer-daemon|postmaster)@/i.test(headers.from?.trim() ?? '');
}
