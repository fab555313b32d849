// iconv-lite, as far as libmime (mailparser's charset layer) calls it, over Node's WHATWG TextDecoder. Swapped in
// for the real package at bundle time only (lib/keyholder-function.ts BUNDLE_ALIASES): iconv-lite carries its own
// charset tables (~480 KiB minified), while Node, built with full ICU as the Lambda runtime is, already decodes
// every charset the WHATWG Encoding Standard names (windows-125x, iso-8859-x, koi8-r/u, macintosh, shift_jis,
// euc-jp, iso-2022-jp, gbk, gb18030, big5, euc-kr, utf-16le/be). What TextDecoder lacks is written here as
// iconv-lite does it: utf-16 without a byte order in its name (BOM, else guessed from the first 100 characters),
// utf-32, and true latin1. A name neither knows (cp437, cp850, the rarer mac-* tables) is "not recognized" as
// for any unknown charset: libmime then decodes the bytes as UTF-8, its fallback for an unknown charset.
//
// The surface libmime 5.6 uses: getCodec (codec identity: it tells refused codecs, utf-16/utf-32 and the
// double-byte decoder apart by identity), getDecoder (write/end), decode and encodingExists; encode for
// completeness (utf-8, utf-16le, latin1).
import { Buffer } from 'node:buffer';

export interface ChunkDecoder {
  write(chunk: Uint8Array): string;
  end(): string | undefined;
}

export interface Codec {
  readonly encodingName: string;
  /** A value unique to the codec: libmime compares `getCodec(x).decoder` by identity. */
  readonly decoder: object;
  createDecoder(): ChunkDecoder;
}

/** iconv-lite's own canonical form of a name: lowercase letters and digits only. */
function canonical(name: string): string {
  return String(name)
    .toLowerCase()
    .replace(/:\d{4}$|[^0-9a-z]/g, '');
}

const codecs = new Map<string, Codec>();

function codec(encodingName: string, createDecoder: () => ChunkDecoder): Codec {
  const existing = codecs.get(`=${encodingName}`);
  if (existing) return existing;
  const made: Codec = { encodingName, decoder: { encodingName }, createDecoder };
  codecs.set(`=${encodingName}`, made);
  return made;
}

function whatwg(label: string): Codec | undefined {
  let encoding: string;
  try {
    encoding = new TextDecoder(label).encoding;
  } catch {
    return undefined;
  }
  const fix = FIXES[encoding] ?? (encoding.startsWith('windows-') ? undefinedAsReplacement : undefined);
  return codec(encoding, () => {
    const decoder = new TextDecoder(encoding);
    return {
      write: (chunk) => {
        const text = decoder.decode(chunk, { stream: true });
        return fix ? fix(text) : text;
      },
      end: () => {
        const text = decoder.decode();
        return (fix ? fix(text) : text) || undefined;
      },
    };
  });
}

/**
 * Where WHATWG's tables and iconv-lite's disagree, iconv-lite's answer (mime.ts calls a body with U+FFFD in it
 * unreadable, so this matters): the bytes a windows-125x code page leaves undefined are U+FFFD in iconv-lite, the
 * C1 control of the same number in WHATWG (every C1 in such a text came from one of those bytes); WHATWG's koi8-u
 * is KOI8-RU (0xAE, 0xBE are ў, Ў), iconv-lite's is KOI8-U (box drawing). Left as WHATWG has them: macintosh and
 * x-mac-cyrillic as Apple revised them (0xDB is €, where iconv-lite still has ¤).
 */
const undefinedAsReplacement = (text: string) => text.replace(/[\u0080-\u009f]/g, '\ufffd');
const FIXES: Readonly<Record<string, (text: string) => string>> = {
  'koi8-u': (text) => text.replace(/[\u045e\u040e]/g, (char) => (char === '\u045e' ? '\u255d' : '\u256c')),
};

/** Transfer encodings and UTF-7: codecs iconv-lite has that libmime refuses to decode a message with. */
const REFUSED = new Map<string, string>([
  ['utf7', 'utf7'],
  ['unicode11utf7', 'utf7'],
  ['utf7imap', 'utf7imap'],
  ['base64', 'base64'],
  ['hex', 'hex'],
]);

const LATIN1 = new Set(['latin1', 'binary', 'iso88591', 'l1', 'cp819', 'ibm819', 'isoir100', 'csisolatin1']);

/** iconv-lite names whose WHATWG label is spelled otherwise (TextDecoder is tried with the name as given first). */
const WHATWG_LABELS: readonly (readonly [RegExp, string])[] = [
  [/^(?:cp|windows|win|ms|xcp)(125[0-8]|874)$/, 'windows-$1'],
  [/^iso8859(\d{1,2})$/, 'iso-8859-$1'],
  [/^(?:cp|ms)932$|^shiftjis$|^sjis$|^mskanji$|^windows31j$|^xsjis$|^csshiftjis$/, 'shift_jis'],
  [/^(?:cp936|gb2312|gbk|xgbk|chinese|euccn|csgb2312|gb231280|isoir58)$/, 'gbk'],
  [/^(?:cp949|uhc|euckr|ksc56011987|ksc56011989|ksc5601|windows949|korean|cseuckr)$/, 'euc-kr'],
  [/^(?:cp950|big5|big5hkscs|cnbig5|csbig5|xxbig5|cp951)$/, 'big5'],
  [/^eucjp$/, 'euc-jp'],
  [/^(?:iso2022jp|csiso2022jp)$/, 'iso-2022-jp'],
  [/^koi8r$/, 'koi8-r'],
  [/^koi8(?:u|ru)$/, 'koi8-u'],
  [/^(?:maccyrillic|xmaccyrillic|macukraine|xmacukrainian)$/, 'x-mac-cyrillic'],
  [/^(?:mac|macintosh|macroman|xmacroman|csmacintosh)$/, 'macintosh'],
  [/^(?:cp866|ibm866|csibm866)$/, 'ibm866'],
  [/^(?:tis620|iso885911)$/, 'windows-874'],
  [/^(?:utf8|unicode11utf8|cesu8)$/, 'utf-8'],
  [/^(?:utf16le|ucs2)$/, 'utf-16le'],
  [/^utf16be$/, 'utf-16be'],
];

export function getCodec(encoding: string): Codec {
  const name = canonical(encoding);
  const cached = codecs.get(name);
  if (cached) return cached;
  const found = resolve(String(encoding).trim(), name);
  if (!found) throw new Error(`Encoding not recognized: '${encoding}' (searched as: '${name}')`);
  codecs.set(name, found);
  return found;
}

function resolve(given: string, name: string): Codec | undefined {
  const refused = REFUSED.get(name);
  if (refused)
    return codec(refused, () => {
      throw new Error(`${refused} is not decoded here`);
    });
  if (LATIN1.has(name)) return codec('latin1', () => singleChunk((bytes) => latin1(bytes)));
  if (name === 'utf16') return codec('utf-16', () => byteOrderSniffing(2, utf16Order));
  if (name === 'utf32' || name === 'ucs4') return codec('utf-32', () => byteOrderSniffing(4, utf32Order));
  if (name === 'utf32le') return codec('utf-32le', () => utf32Decoder(true));
  if (name === 'utf32be') return codec('utf-32be', () => utf32Decoder(false));
  // WHATWG's "utf-16" label is little endian, without the sniffing iconv-lite does: handled above.
  const asGiven = whatwg(given);
  if (asGiven) return asGiven;
  for (const [pattern, label] of WHATWG_LABELS)
    if (pattern.test(name)) return whatwg(name.replace(pattern, label));
  return undefined;
}

export function encodingExists(encoding: string): boolean {
  try {
    getCodec(encoding);
    return true;
  } catch {
    return false;
  }
}

export function getDecoder(encoding: string): ChunkDecoder {
  return getCodec(encoding).createDecoder();
}

/** A string is read as binary (one byte per character), as iconv-lite reads it. */
export function decode(input: Uint8Array | string, encoding: string): string {
  const bytes = typeof input === 'string' ? Buffer.from(input, 'binary') : input;
  const decoder = getDecoder(encoding);
  return decoder.write(bytes) + (decoder.end() ?? '');
}

export function encode(text: string, encoding: string): Buffer {
  const name = canonical(encoding);
  if (name === 'utf8') return Buffer.from(text, 'utf8');
  if (name === 'utf16le' || name === 'ucs2') return Buffer.from(text, 'utf16le');
  if (LATIN1.has(name)) return Buffer.from(text, 'latin1');
  throw new Error(`Encoding not recognized for encoding here: '${encoding}'`);
}

function latin1(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
}

function singleChunk(decodeBytes: (bytes: Uint8Array) => string): ChunkDecoder {
  return { write: decodeBytes, end: () => undefined };
}

/** Holds the first bytes back until the byte order can be told, then decodes all of it in that order. */
function byteOrderSniffing(unit: 2 | 4, order: (head: Uint8Array) => 'le' | 'be'): ChunkDecoder {
  const head: Uint8Array[] = [];
  let headBytes = 0;
  let chosen: ChunkDecoder | undefined;
  const choose = () => {
    const bytes = Buffer.concat(head);
    head.length = 0;
    const le = order(bytes) === 'le';
    chosen = unit === 2 ? (whatwg(le ? 'utf-16le' : 'utf-16be') as Codec).createDecoder() : utf32Decoder(le);
    return chosen.write(bytes);
  };
  return {
    write(chunk) {
      if (chosen) return chosen.write(chunk);
      head.push(Buffer.from(chunk));
      headBytes += chunk.length;
      // iconv-lite decides once it has 16 (utf-16) or 32 (utf-32) bytes.
      return headBytes < unit * 8 ? '' : choose();
    },
    end() {
      const text = chosen ? '' : choose();
      const rest = (chosen as ChunkDecoder).end() ?? '';
      return text + rest || undefined;
    },
  };
}

/** iconv-lite's utf-16 detection: a BOM, else which byte of the first 100 units is zero more often (ASCII). */
function utf16Order(bytes: Uint8Array): 'le' | 'be' {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return 'le';
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return 'be';
  let asciiLe = 0;
  let asciiBe = 0;
  for (let at = 0; at + 1 < bytes.length && at < 200; at += 2) {
    if (bytes[at] === 0 && bytes[at + 1] !== 0) asciiBe++;
    if (bytes[at] !== 0 && bytes[at + 1] === 0) asciiLe++;
  }
  return asciiBe > asciiLe ? 'be' : 'le';
}

/** iconv-lite's utf-32 detection: a BOM, else which order gives more BMP and fewer invalid characters. */
function utf32Order(bytes: Uint8Array): 'le' | 'be' {
  const [b0, b1, b2, b3] = [bytes[0], bytes[1], bytes[2], bytes[3]];
  if (b0 === 0xff && b1 === 0xfe && b2 === 0 && b3 === 0) return 'le';
  if (b0 === 0 && b1 === 0 && b2 === 0xfe && b3 === 0xff) return 'be';
  let score = 0;
  for (let at = 0; at + 3 < bytes.length && at < 400; at += 4) {
    const [c0, c1, c2, c3] = [bytes[at] ?? 0, bytes[at + 1] ?? 0, bytes[at + 2] ?? 0, bytes[at + 3] ?? 0];
    if (c0 !== 0 || c1 > 0x10) score -= 1; // invalid as BE
    if (c3 !== 0 || c2 > 0x10) score += 1; // invalid as LE
    if (c0 === 0 && c1 === 0 && (c2 !== 0 || c3 !== 0)) score += 1; // BMP as BE
    if ((c0 !== 0 || c1 !== 0) && c2 === 0 && c3 === 0) score -= 1; // BMP as LE
  }
  return score > 0 ? 'be' : 'le';
}

function utf32Decoder(littleEndian: boolean): ChunkDecoder {
  let pending = Buffer.alloc(0);
  let first = true;
  const take = (chunk: Uint8Array, final: boolean): string => {
    const bytes = pending.length ? Buffer.concat([pending, chunk]) : Buffer.from(chunk);
    const whole = bytes.length - (bytes.length % 4);
    pending = final ? Buffer.alloc(0) : Buffer.from(bytes.subarray(whole));
    let text = '';
    for (let at = 0; at < whole; at += 4) {
      const point = littleEndian ? bytes.readUInt32LE(at) : bytes.readUInt32BE(at);
      if (first && point === 0xfeff) {
        first = false;
        continue;
      }
      first = false;
      text +=
        point > 0x10ffff || (point >= 0xd800 && point <= 0xdfff) ? '\ufffd' : String.fromCodePoint(point);
    }
    if (final && bytes.length > whole) text += '\ufffd';
    return text;
  };
  return {
    write: (chunk) => take(chunk, false),
    end: () => take(new Uint8Array(0), true) || undefined,
  };
}

export default { getCodec, getDecoder, decode, encode, encodingExists };
