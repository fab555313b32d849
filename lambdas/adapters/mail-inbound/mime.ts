// Parsing an inbound RFC 5322 message with mailparser into what a reply decision needs.
import { type AddressObject, simpleParser } from 'mailparser';

export interface ParsedMail {
  /** The From header's address (the one DMARC aligns with), lowercased. */
  readonly from: string | undefined;
  readonly subject: string;
  /** The text part, or the HTML part rendered as text (blockquotes become `>` lines) when there is none. */
  readonly text: string;
  readonly autoSubmitted: string | undefined;
  readonly precedence: string | undefined;
}

function firstAddress(value: AddressObject | AddressObject[] | undefined): string | undefined {
  const list = Array.isArray(value) ? value : value ? [value] : [];
  return list
    .flatMap((entry) => entry.value)
    .find((entry) => entry.address)
    ?.address?.toLowerCase();
}

function headerText(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  return typeof value === 'string' ? value : String((value as { value?: unknown }).value ?? value);
}

export async function parseMail(raw: Buffer | string): Promise<ParsedMail> {
  const mail = await simpleParser(raw, { skipImageLinks: true, skipTextToHtml: true });
  return {
    from: firstAddress(mail.from),
    subject: mail.subject ?? '',
    text: mail.text ?? '',
    autoSubmitted: headerText(mail.headers.get('auto-submitted')),
    precedence: headerText(mail.headers.get('precedence')),
  };
}
