// he, as far as mailparser calls it: encode() to escape text into the HTML renderings it makes (address and header
// HTML, text-as-HTML), none of which Keyholder reads. Swapped in at bundle time (lib/keyholder-function.ts
// BUNDLE_ALIASES): the real package is ~87 KiB of named-entity tables. The output is what he.encode gives by
// default — `&<>"'` and backtick, and every non-ASCII or control character (bar NUL, LF and CR), as hexadecimal
// references — also when named references are asked for (they mean the same characters). Unlike he, the C1
// controls (U+0080–U+009F) are escaped too.

/** Unsafe ASCII, and everything but printable ASCII, LF and CR (NUL is let through in the replacer, as he does). */
const UNSAFE = /[&<>"'`]|[^ -~\n\r]/gu;
const ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#x27;',
  '`': '&#x60;',
};

export function encode(text: string, _options?: { readonly useNamedReferences?: boolean }): string {
  return String(text).replace(UNSAFE, (char) =>
    char === '\0' ? char : `&#x${(char.codePointAt(0) ?? 0).toString(16).toUpperCase()};`,
  );
}

/** he.escape: only the characters that are unsafe in HTML text and attributes. */
function escapeHtml(text: string): string {
  return String(text).replace(/[&<>"'`]/g, (char) => ESCAPES[char] ?? char);
}

export { escapeHtml as escape };
export default { encode, escape: escapeHtml };
