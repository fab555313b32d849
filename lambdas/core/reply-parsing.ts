// Deciding by email reply: the per-approver reply address, the command on the reply's first own line, and the
// sender-authentication verdicts a reply must carry before it may decide anything.

export type ReplyCommand =
  | { readonly kind: 'approve'; readonly comment?: string | undefined }
  | { readonly kind: 'deny'; readonly reason: string }
  | { readonly kind: 'deny-without-reason' }
  /** A question (`approved?`), both words (`approve deny`), or an approve and a deny line: nothing is decided. */
  | { readonly kind: 'ambiguous' }
  | { readonly kind: 'none'; readonly firstLine?: string | undefined };

const REPLY_LOCAL_PART = 'approvals';
/** 32 random bytes in lowercase base32: 52 characters, so `approvals+<token>` fits the 64-octet local-part limit. */
const REPLY_TOKEN_SHAPE = /^[a-z2-7]{52}$/;
const BASE32_ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';

/**
 * Lines after which nothing is the approver's own words: Outlook's separators and header blocks (which never
 * quote with `>`), forwarded-message markers and mobile signatures, in the languages our directors' clients use.
 */
const HISTORY_STARTS = [
  // -----Original Message----- and its translations, Gmail's "---------- Forwarded message ---------"
  /^-{2,}\s*(?:original message|ursprüngliche nachricht|message d'origine|mensaje original|oorspronkelijk bericht|messaggio originale|mensagem original|исходное сообщение|forwarded message|message transféré|weitergeleitete nachricht|mensaje reenviado|doorgestuurd bericht)\s*-{2,}$/iu,
  /^_{8,}$/, // Outlook's separator line
  /^-{10,}$/, // an HTML <hr> rendered as text (Outlook's reply header rule)
  /^\*{0,2}(?:from|de|von|van|da|od|от|från|fra|lähettäjä|sender|absender|expéditeur|remitente)\s*:\*{0,2}\s*\S/iu, // header block
  /^(?:begin forwarded message|début du message réexpédié|anfang der weitergeleiteten nachricht|inicio del mensaje reenviado)\s*:?$/iu,
  // Mobile and webmail signatures
  /^(?:sent from my\b|sent from outlook\b|sent from mail for\b|sent from yahoo\b|sent via\b|get outlook for\b|envoyé de mon(?=\s|$)|envoyé depuis(?=\s|$)|obtenir outlook pour\b|von meinem\b.*\bgesendet$|gesendet von meinem\b|gesendet mit\b|outlook für \S+ herunterladen|enviado desde mi\b|enviado desde\b|obtener outlook para\b|verzonden vanaf mijn\b|verstuurd vanaf mijn\b|outlook voor \w+ downloaden|inviato da\b|отправлено с(?=\s|$)|отправлено из(?=\s|$))/iu,
];
const SIGNATURE_SEPARATOR = /^--\s*$/;

/** How an attribution line starts: "On", "Le", "Am", "El", "Op", "Il", "Em", "Den", "W dniu", "В" or a date. */
const ATTRIBUTION_START = /^(?:(?:on|le|am|el|op|il|em|den|dne|w dniu|в)\s|\p{L}{2,3}\.?,?\s+\d|\d)/iu;
/** How it ends: the verb of each language, or the quoted author's address followed by a colon. */
const ATTRIBUTION_END =
  /(?:\bwrote|\ba écrit|\bschrieb\b.*|\bescribió|\bschreef\b.*|\bha scritto|\bescreveu|\bskrev|\bkirjoitti|\bnapisał(?:\(a\))?|написал(?:\(а\))?|пишет|<[^<>\s]+@[^<>\s]+>|\S+@\S+\.\S+)\s*:\s*$|(?:\bwrote|\ba écrit|\bescribió|\bha scritto|\bescreveu|написал(?:\(а\))?|пишет)\s*$/iu;
const MAX_ATTRIBUTION_LINES = 4;

/** Normalises what mail clients put around words: CRLF, non-breaking and zero-width spaces, bidi marks. */
function linesOf(text: string): string[] {
  return text
    .replace(/\r\n?/g, '\n')
    .replace(/[\u00a0\u2007\u202f\u3000]/g, ' ')
    .replace(/[\u200b-\u200f\u2060\ufeff\u202a-\u202e]/g, '')
    .split('\n')
    .map((line) => line.trim());
}

const isQuoted = (line: string) => line.startsWith('>');
const startsHistory = (line: string) =>
  SIGNATURE_SEPARATOR.test(line) || HISTORY_STARTS.some((pattern) => pattern.test(line));

/** Attribution lines may wrap: "On Mon, 1 Dec 2026, Keyholder <" / "keyholder@example.org> wrote:". */
function attributionLength(lines: readonly string[], index: number): number {
  if (!ATTRIBUTION_START.test(lines[index] ?? '')) return 0;
  let joined = '';
  for (let length = 1; length <= MAX_ATTRIBUTION_LINES; length++) {
    const line = lines[index + length - 1];
    if (line === undefined || line === '' || isQuoted(line)) return 0;
    joined = joined ? `${joined} ${line}` : line;
    if (ATTRIBUTION_END.test(joined)) return length;
  }
  return 0;
}

/**
 * The sender's own lines: blank lines kept (they end paragraphs), quoted lines dropped. An attribution followed
 * by `>` lines is skipped (bottom-posting: own words may follow the quote); an attribution followed by unquoted
 * text, an Outlook header block, a separator, a forwarded-message marker or a signature ends the reply: what
 * follows is history, never a command.
 */
export function ownLines(text: string): string[] {
  const lines = linesOf(text);
  const own: string[] = [];
  // History skipped in the middle (a quote, its attribution) still ends the paragraph before it.
  const paragraphBreak = () => {
    if (own.length > 0 && own.at(-1) !== '') own.push('');
  };
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index] ?? '';
    if (isQuoted(line)) {
      paragraphBreak();
      continue;
    }
    const attribution = attributionLength(lines, index);
    if (attribution > 0) {
      let next = index + attribution;
      while (lines[next] === '') next++;
      if (!isQuoted(lines[next] ?? '')) break; // unquoted history (Outlook-style, or quoting stripped)
      paragraphBreak();
      index = next - 1;
      continue;
    }
    if (startsHistory(line)) break;
    own.push(line);
  }
  return own;
}

const APPROVE = /^(?:approve|approved)(?![\p{L}\p{N}])[\s:.,;!-]*(.*)$/iu;
const DENY = /^(?:deny|denied)(?![\p{L}\p{N}])[\s:.,;!-]*(.*)$/iu;
const QUESTION = /^(?:approve|approved|deny|denied)\s*[?¿？]/iu;
const OTHER_WORD_FIRST = /^(?:deny|denied|approve|approved|reject|rejected)(?![\p{L}\p{N}])/iu;

/**
 * The command on the first line that is the sender's own (see ownLines): `approve [comment]` or
 * `deny <reason>`; a deny's reason may continue on the following lines of the same paragraph. A question,
 * both words, or an approve and a deny on separate own lines is ambiguous and decides nothing.
 */
export function parseReplyCommand(text: string): ReplyCommand {
  const lines = ownLines(text);
  const start = lines.findIndex((line) => line !== '');
  const first = start === -1 ? undefined : lines[start];
  if (first === undefined) return { kind: 'none' };
  if (QUESTION.test(first)) return { kind: 'ambiguous' };
  const approve = APPROVE.exec(first);
  const deny = approve ? null : DENY.exec(first);
  if (!approve && !deny) return { kind: 'none', firstLine: first.slice(0, 200) };
  const rest = (approve ?? deny)?.[1]?.trim() ?? '';
  if (OTHER_WORD_FIRST.test(rest)) return { kind: 'ambiguous' };
  const later = lines.slice(start + 1);
  const contrary = approve ? DENY : APPROVE;
  if (later.some((line) => contrary.test(line))) return { kind: 'ambiguous' };
  if (approve) return { kind: 'approve', comment: rest || undefined };
  const reason = [rest];
  for (const line of later) {
    if (line === '') break;
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

/**
 * Whether `address` is the directory address of one of `principals`. A wrong sender is answered only then: mail
 * from anyone else (who may pass SPF and DKIM for a domain of their own) is never answered, or the answer naming
 * the request would be backscatter.
 */
export function isDirectoryAddress(
  principals: readonly { readonly email: string }[],
  address: string | undefined,
): boolean {
  const wanted = address?.trim().toLowerCase();
  return Boolean(wanted) && principals.some((principal) => principal.email.trim().toLowerCase() === wanted);
}
