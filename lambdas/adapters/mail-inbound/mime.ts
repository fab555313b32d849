// Parsing an inbound RFC 5322 message with mailparser into what a reply decision needs. mailparser decodes
// charsets (Windows-1252, KOI8-R, ISO-8859-x...: in the bundle over Node's TextDecoder, see ./shims), quoted-
// printable and base64 parts, and renders HTML-only bodies as text; what still cannot be read is said so.
import { type AddressObject, simpleParser } from 'mailparser';

export interface ParsedMail {
  /** The From header's address (the one DMARC aligns with), lowercased; undefined when there is not exactly one. */
  readonly from: string | undefined;
  /** Every address of the From header, lowercased: more than one cannot be one approver's decision. */
  readonly fromAddresses: readonly string[];
  /** The Sender header's address, lowercased, when there is one. */
  readonly sender: string | undefined;
  readonly subject: string;
  /** The text part, or the HTML part rendered as text (blockquotes become `>` lines) when there is none. */
  readonly text: string;
  /** Why the body cannot be read (undecodable bytes, no text at all), when it cannot. */
  readonly unreadable?: string | undefined;
  readonly autoSubmitted: string | undefined;
  readonly precedence: string | undefined;
}

function addresses(value: AddressObject | AddressObject[] | undefined): string[] {
  const list = Array.isArray(value) ? value : value ? [value] : [];
  // Groups (`Team: a@x, b@y;`) nest their members one level down.
  return list
    .flatMap((entry) => entry.value)
    .flatMap((entry) => (entry.group ? entry.group : [entry]))
    .map((entry) => entry.address?.trim().toLowerCase() ?? '')
    .filter(Boolean);
}

function headerText(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  return typeof value === 'string' ? value : String((value as { value?: unknown }).value ?? value);
}

function unreadableBecause(text: string): string | undefined {
  if (text.includes('\ufffd')) {
    return 'its text could not be decoded (the bytes do not match the character set the message declares)';
  }
  if (text.replace(/\[(?:cid|image):[^\]]*\]/gi, '').trim() === '')
    return 'it has no text Keyholder can read (only attachments, images or nothing)';
  return undefined;
}

export async function parseMail(raw: Buffer | string): Promise<ParsedMail> {
  let mail: Awaited<ReturnType<typeof simpleParser>>;
  try {
    mail = await simpleParser(raw, { skipImageLinks: true, skipTextToHtml: true });
  } catch {
    return {
      from: undefined,
      fromAddresses: [],
      sender: undefined,
      subject: '',
      text: '',
      unreadable: 'it is not a well-formed email message',
      autoSubmitted: undefined,
      precedence: undefined,
    };
  }
  const from = addresses(mail.from);
  const sender = mail.headers.get('sender') as AddressObject | undefined;
  const text = mail.text ?? '';
  return {
    from: from.length === 1 ? from[0] : undefined,
    fromAddresses: from,
    sender: addresses(sender)[0],
    subject: mail.subject ?? '',
    text,
    unreadable: unreadableBecause(text),
    autoSubmitted: headerText(mail.headers.get('auto-submitted')),
    precedence: headerText(mail.headers.get('precedence')),
  };
}

/**
 * Whether this Node decodes the legacy charsets (windows-125x, iso-8859-x, shift_jis...): the bundle's charset shims
 * (./shims) need Node's full ICU data, which the official builds and the Lambda runtime have. Without it every
 * legacy charset is unknown and such a reply is refused as undecodable, never misread.
 */
export function legacyCharsetsAvailable(): boolean {
  try {
    return new TextDecoder('windows-1252').encoding === 'windows-1252';
  } catch {
    return false;
  }
}
