// The bundle-time stand-ins for iconv-lite, encoding-japanese and he (lambdas/adapters/mail-inbound/shims), held
// to the real packages they replace in the inbound-reply bundle: the same text for the same bytes, in one piece or
// split anywhere, and the same mail out of the parser as the inbound-reply bundle ships it.
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { legacyCharsetsAvailable, parseMail } from '../../../lambdas/adapters/mail-inbound/mime.ts';
import * as japanese from '../../../lambdas/adapters/mail-inbound/shims/encoding-japanese.ts';
import * as he from '../../../lambdas/adapters/mail-inbound/shims/he.ts';
import * as iconv from '../../../lambdas/adapters/mail-inbound/shims/iconv-lite.ts';
import { buildShippedMime, type ShippedMime } from '../../support/shipped-mime.ts';

// The real packages, as libmime (the one caller) resolves them.
const fromLibmime = createRequire(createRequire(import.meta.url).resolve('libmime'));
const real = {
  iconv: fromLibmime('iconv-lite') as {
    encode(text: string, charset: string): Buffer;
    decode(bytes: Buffer, charset: string): string;
    encodingExists(charset: string): boolean;
  },
  japanese: fromLibmime('encoding-japanese') as {
    convert(data: Uint8Array, options: { to: string; from: string; type: string }): string;
    convert(data: number[], options: { to: string; from: string }): number[];
    stringToCode(text: string): number[];
  },
  he: createRequire(createRequire(import.meta.url).resolve('mailparser'))('he') as {
    encode(text: string, options?: { useNamedReferences?: boolean }): string;
  },
};

const TEXTS: readonly (readonly [charset: string, text: string])[] = [
  ['windows-1252', 'Approved — “go ahead”, café, naïve, 50 € ‰'],
  ['iso-8859-1', 'Approuvé, à bientôt ¿señor? ½ ©'],
  ['iso-8859-15', 'Genehmigt: 20 €, Œuvre, Ÿ, š ž'],
  ['koi8-r', 'Одобряю. Спасибо, ёж'],
  ['shift_jis', '承認します。ありがとう ｶﾀｶﾅ'],
  ['euc-jp', '承認します。ありがとう'],
  ['gbk', '批准，谢谢'],
  ['gb18030', '批准，谢谢 𠀀'],
  ['big5', '批准，謝謝'],
  ['euc-kr', '승인합니다'],
  ['windows-1251', 'Одобрено, дякую — ґ'],
  ['iso-8859-2', 'Zatwierdzam, dziękuję, łódź'],
  ['utf-16le', 'Approved 😀 é'],
  ['utf-16be', 'Approved 😀 é'],
  ['utf-32le', 'Approved 😀 é'],
  ['utf-32be', 'Approved 😀 é'],
];

describe('iconv-lite stand-in', () => {
  it('runs on a Node with full ICU, as the Lambda runtime is (the cold-start check inbound-reply logs)', () => {
    expect(legacyCharsetsAvailable()).toBe(true);
  });

  it.each(TEXTS)('decodes %s as iconv-lite does', (charset, text) => {
    // Prepare
    const bytes = real.iconv.encode(text, charset);

    // Act
    const decoded = iconv.decode(bytes, charset);

    // Assess
    expect(decoded).toBe(text);
    expect(decoded).toBe(real.iconv.decode(bytes, charset));
  });

  it.each([
    'windows-1252',
    'windows-1250',
    'windows-1251',
    'windows-1254',
    'windows-1257',
    'windows-874',
    'iso-8859-1',
    'iso-8859-2',
    'iso-8859-5',
    'iso-8859-7',
    'iso-8859-15',
    'koi8-r',
    'koi8-u',
    'ibm866',
  ])('gives every one of the 256 bytes of %s the character iconv-lite gives it', (charset) => {
    const every = Buffer.from(Array.from({ length: 256 }, (_, byte) => byte));
    expect([...iconv.decode(every, charset)]).toEqual([...real.iconv.decode(every, charset)]);
  });

  it('leaves the bytes windows-1252 does not define as U+FFFD, so mime.ts still calls such text unreadable', () => {
    expect(iconv.decode(Buffer.from([0x41, 0x81, 0x8d, 0x42]), 'windows-1252')).toBe('A\ufffd\ufffdB');
  });

  it('reads utf-16 without a byte order in its name from its BOM, or guesses it as iconv-lite does', () => {
    // Prepare
    const text = 'Approved, thanks — Ada';
    const cases = [
      Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]),
      Buffer.concat([Buffer.from([0xfe, 0xff]), real.iconv.encode(text, 'utf-16be')]),
      Buffer.from(text, 'utf16le'),
      real.iconv.encode(text, 'utf-16be'),
    ];

    // Act
    const decoded = cases.map((bytes) => iconv.decode(bytes, 'UTF-16'));

    // Assess
    expect(decoded).toEqual([text, text, text, text]);
    expect(decoded).toEqual(cases.map((bytes) => real.iconv.decode(bytes, 'UTF-16')));
  });

  it.each([
    ['shift_jis', 7],
    ['gb18030', 3],
    ['utf-16', 5],
    ['utf-32', 3],
    ['koi8-r', 1],
  ])('streams %s split every %d bytes to the same text', (charset, step) => {
    // Prepare
    const text = `${'承認 Одобряю 😀 '.repeat(20)}end`;
    const encodable = charset === 'koi8-r' ? text.replace(/[^ -~\n\rА-яЁё]/g, '?') : text;
    const bytes = real.iconv.encode(encodable, charset);

    // Act
    const decoder = iconv.getDecoder(charset);
    let streamed = '';
    for (let at = 0; at < bytes.length; at += step) streamed += decoder.write(bytes.subarray(at, at + step));
    streamed += decoder.end() ?? '';

    // Assess
    expect(streamed).toBe(real.iconv.decode(bytes, charset));
  });

  it('knows a charset by any of the names iconv-lite knows it by, and one codec per charset', () => {
    expect(iconv.getCodec('CP1252')).toBe(iconv.getCodec('windows-1252'));
    expect(iconv.getCodec('Shift_JIS')).toBe(iconv.getCodec('sjis'));
    expect(iconv.getCodec('ks_c_5601-1987')).toBe(iconv.getCodec('EUC-KR'));
    expect(iconv.getCodec('UTF-16')).not.toBe(iconv.getCodec('UTF-16LE'));
    for (const name of ['KOI8-R', 'ISO-8859-15', 'GBK', 'Big5', 'utf8', 'latin1', 'utf-32', 'tis-620'])
      expect([name, iconv.encodingExists(name)]).toEqual([name, real.iconv.encodingExists(name)]);
  });

  it('does not know an unknown charset (libmime then reads the bytes as UTF-8)', () => {
    expect(iconv.encodingExists('x-unknown-charset')).toBe(false);
    expect(real.iconv.encodingExists('x-unknown-charset')).toBe(false);
    expect(() => iconv.decode(Buffer.from('x'), 'x-unknown-charset')).toThrow(/not recognized/);
  });

  it('has a distinct codec for each of UTF-7, base64 and hex, which libmime refuses', () => {
    const refused = ['utf7', 'UTF-7', 'unicode-1-1-utf-7', 'utf7imap', 'base64', 'hex'].map(iconv.getCodec);
    expect(new Set(refused).size).toBe(4);
    expect(refused).not.toContain(iconv.getCodec('utf-8'));
  });
});

describe('encoding-japanese and he stand-ins', () => {
  it('converts ISO-2022-JP (JIS) and EUC-JP as encoding-japanese does', () => {
    // Prepare
    const iso2022jp = Uint8Array.from(
      real.japanese.convert(real.japanese.stringToCode('承認です'), { to: 'JIS', from: 'UNICODE' }),
    );
    const eucjp = real.iconv.encode('承認です', 'euc-jp');

    // Act
    const options = (from: string) => ({ to: 'UNICODE', from, type: 'string' });

    // Assess
    for (const from of ['ISO-2022-JP', 'JIS'])
      expect(japanese.convert(iso2022jp, options(from))).toBe(
        real.japanese.convert(iso2022jp, options(from)),
      );
    expect(japanese.convert(iso2022jp, options('ISO-2022-JP'))).toBe('承認です');
    expect(japanese.convert(eucjp, options('EUCJP'))).toBe(real.japanese.convert(eucjp, options('EUCJP')));
  });

  it('escapes text for HTML as he.encode does', () => {
    const text = `Ada <ada@nhse.example> & "Ben" 'B' \`x\` café 😀\ttab\nline\r\n`;
    expect(he.encode(text)).toBe(real.he.encode(text));
    expect(he.encode('a < b')).toBe('a &#x3C; b');
  });
});

describe('mail parsed as the inbound-reply bundle ships the parser', () => {
  let shipped: ShippedMime;
  beforeAll(async () => {
    shipped = await buildShippedMime();
  }, 60_000);
  afterAll(() => shipped.dispose());

  const mail = (charset: string, body: Buffer, subject = 'Re: Approval needed') =>
    Buffer.concat([
      Buffer.from(
        [
          'From: Ada Director <dir-ada@nhse.example>',
          'To: reply+abc@keyholder.example',
          `Subject: ${subject}`,
          'MIME-Version: 1.0',
          `Content-Type: text/plain; charset="${charset}"`,
          'Content-Transfer-Encoding: 8bit',
          '',
          '',
        ].join('\r\n'),
      ),
      body,
    ]);

  it.each(TEXTS.filter(([charset]) => !charset.startsWith('utf-32')))(
    'reads a %s body and encoded-word subject as the sources do',
    async (charset, text) => {
      // Prepare
      const subject = `=?${charset}?B?${real.iconv.encode('Re: Genehmigt', charset).toString('base64')}?=`;
      const raw = mail(charset, real.iconv.encode(`APPROVE\r\n${text}\r\n`, charset), subject);

      // Act
      const parsed = await shipped.parseMail(raw);

      // Assess
      expect(parsed).toEqual(await parseMail(raw));
      expect(parsed.text).toContain(text);
      expect(parsed.subject).toBe('Re: Genehmigt');
      expect(parsed.unreadable).toBeUndefined();
    },
  );

  it('reads a body in an unknown charset as UTF-8, as mailparser does with iconv-lite', async () => {
    // Prepare
    const raw = mail('x-klingon', Buffer.from('DENY: not needed — café\r\n', 'utf8'));

    // Act
    const parsed = await shipped.parseMail(raw);

    // Assess
    expect(parsed).toEqual(await parseMail(raw));
    expect(parsed.text).toContain('DENY: not needed — café');
  });

  it('says a windows-1252 body with undefined bytes is unreadable, as the sources do', async () => {
    const raw = mail(
      'windows-1252',
      Buffer.from([0x41, 0x50, 0x50, 0x52, 0x4f, 0x56, 0x45, 0x81, 0x0d, 0x0a]),
    );
    const parsed = await shipped.parseMail(raw);
    expect(parsed).toEqual(await parseMail(raw));
    expect(parsed.unreadable).toMatch(/could not be decoded/);
  });

  it('refuses UTF-7 (markup smuggled past filters) as the sources do', async () => {
    const raw = mail('utf-7', Buffer.from('+ADw-script+AD4-APPROVE\r\n'));
    const parsed = await shipped.parseMail(raw);
    expect(parsed).toEqual(await parseMail(raw));
    expect(parsed.text).not.toContain('<script>');
  });
});
