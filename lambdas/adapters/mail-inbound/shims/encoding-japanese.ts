// encoding-japanese, as far as libmime calls it: convert(bytes, { to: 'UNICODE', from, type: 'string' }) for the
// charsets its JAPANESE_CHARSET pattern sends here (JIS / ISO-2022-JP, EUCJP), over Node's WHATWG TextDecoder.
// Swapped in at bundle time (lib/keyholder-function.ts BUNDLE_ALIASES); the real package carries ~90 KiB of JIS
// tables that Node's ICU already has. Anything else throws, and libmime then tries iconv-lite (./iconv-lite.ts),
// as it does when the real convert() fails.
import { Buffer } from 'node:buffer';

const LABELS: Readonly<Record<string, string>> = {
  JIS: 'iso-2022-jp',
  ISO2022JP: 'iso-2022-jp',
  EUCJP: 'euc-jp',
  SJIS: 'shift_jis',
  CP932: 'shift_jis',
  MSKANJI: 'shift_jis',
  WINDOWS31J: 'shift_jis',
  UTF8: 'utf-8',
};

export interface ConvertOptions {
  readonly to: string;
  readonly from: string;
  readonly type?: string;
}

export function convert(data: Uint8Array | string, options: ConvertOptions): string {
  const name = (value: string) =>
    String(value)
      .toUpperCase()
      .replace(/[^A-Z0-9]/g, '');
  const label = LABELS[name(options.from)];
  if (name(options.to) !== 'UNICODE' || options.type !== 'string' || !label)
    throw new Error(`convert from ${options.from} to ${options.to} (${options.type}) is not done here`);
  const bytes = typeof data === 'string' ? Buffer.from(data, 'binary') : data;
  return new TextDecoder(label).decode(bytes);
}

export default { convert };
