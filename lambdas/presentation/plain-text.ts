// Facts for a text/plain mail part, where a director reads lines and acts on a link. Free text a requester typed
// (a justification, a ticket, a reason) is never allowed to start a line of its own: a CR/LF in it could otherwise
// forge a "Review and decide: https://evil.example/..." line or an "Approvals: 1 of 1 required" line above the
// real ones. So Keyholder's facts come first, each on one line, and free text follows, every line of it behind
// "  | " under a heading that says whose words they are.

/** Labels whose values are typed by a requester or a decider, not set by Keyholder or the directory. */
export const FREE_TEXT: ReadonlySet<string> = new Set([
  'Justification',
  'Ticket',
  'Why',
  'Reason',
  'Comment',
]);

const isLineBreak = (code: number) =>
  code === 0x0a ||
  code === 0x0d ||
  code === 0x0b ||
  code === 0x0c ||
  code === 0x85 ||
  code === 0x2028 ||
  code === 0x2029;
const isControl = (code: number) => code < 0x20 || (code >= 0x7f && code < 0xa0);

/** The lines of a free text, split at every kind of line break, other control characters dropped. */
export function textLines(value: string): string[] {
  const lines: string[] = [];
  let current = '';
  for (let index = 0; index < value.length; index += 1) {
    const code = value.charCodeAt(index);
    if (isLineBreak(code)) {
      lines.push(current);
      current = '';
      if (code === 0x0d && value.charCodeAt(index + 1) === 0x0a) index += 1;
    } else if (code === 0x09) current += ' ';
    else if (!isControl(code)) current += value[index];
  }
  lines.push(current);
  return lines.map((line) => line.trimEnd());
}

/** One line, whatever the value holds: line breaks become spaces. */
export const oneLine = (value: string) => textLines(value).join(' ').replace(/ {2,}/g, ' ').trim();

/**
 * `label: value` for Keyholder's own facts, then the free-text facts quoted: a heading, then each line behind
 * "  | ". Nothing a requester typed can begin a line.
 */
export function plainTextFacts(facts: readonly (readonly [string, string])[]): string[] {
  const own = facts.filter(([label]) => !FREE_TEXT.has(label));
  const typed = facts.filter(([label]) => FREE_TEXT.has(label));
  const lines = own.map(([label, value]) => `${label}: ${oneLine(value)}`);
  if (typed.length > 0) {
    lines.push('', 'In their own words (quoted as typed; Keyholder wrote none of it):');
    for (const [label, value] of typed) {
      lines.push(`${label}:`, ...textLines(value).map((line) => `  | ${line}`));
    }
  }
  return lines;
}
