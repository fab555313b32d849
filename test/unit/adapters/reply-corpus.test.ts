// The reply corpus (test/fixtures/replies): raw replies as Gmail, Apple Mail, Thunderbird and Outlook write them,
// in English, French, German, Spanish, Dutch and Russian, as UTF-8, quoted-printable, base64, legacy charsets
// and HTML only. Each must give exactly the expected decision and reason, and no name or address from the
// quoted history may reach a reason. The corpus runs twice: through the sources, and through the parser as the
// inbound-reply bundle ships it (iconv-lite and friends swapped for Node's TextDecoder at bundle time).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseMail } from '../../../lambdas/adapters/mail-inbound/mime.ts';
import { parseReplyCommand, type ReplyCommand } from '../../../lambdas/core/reply-parsing.ts';
import { buildShippedMime, type ShippedMime } from '../../support/shipped-mime.ts';

const DIR = join(import.meta.dirname, '../../fixtures/replies');
type Expected = (ReplyCommand | { kind: 'unreadable' }) & { note?: string };
const expectations = JSON.parse(readFileSync(join(DIR, 'expectations.json'), 'utf8')) as Record<
  string,
  Expected
>;
const files = readdirSync(DIR).filter((file) => file.endsWith('.eml'));
/** Only the quoted history names these: any of them in a reason is a leak into the audit trail. */
const HISTORY_ONLY = [/keyholder/i, /kim/i, /vendor/i, /ben director/i, /dir-ben/i, /@/, /approval needed/i];

type Parse = typeof parseMail;

async function readFixture(parse: Parse, file: string): Promise<ReplyCommand | { kind: 'unreadable' }> {
  const mail = await parse(readFileSync(join(DIR, file)));
  return mail.unreadable ? { kind: 'unreadable' } : parseReplyCommand(mail.text);
}

let shipped: ShippedMime | undefined;
beforeAll(async () => {
  shipped = await buildShippedMime();
}, 60_000);
afterAll(() => shipped?.dispose());

const parsers: [string, () => Parse][] = [
  ['from the sources', () => parseMail],
  ['as bundled', () => (shipped as ShippedMime).parseMail],
];

describe.each(parsers)('reply corpus, parsed %s', (label, parser) => {
  const tally = { total: 0, decisions: 0, reasons: 0, leaks: 0 };
  afterAll(() => {
    console.log(
      `reply corpus (${label}): ${tally.total} replies, decisions right ${tally.decisions}/${tally.total}, reasons exact ${tally.reasons}/${tally.total}, leaks ${tally.leaks}`,
    );
  });

  it('has at least 200 replies, each with an expectation', () => {
    expect(files.length).toBeGreaterThanOrEqual(200);
    expect(Object.keys(expectations).sort()).toEqual([...files].sort());
  });

  it.each(files)('%s', async (file) => {
    const { note: _note, ...expected } = expectations[file] as Expected;
    const got = await readFixture(parser(), file);
    tally.total++;
    if (got.kind === expected.kind) tally.decisions++;
    if (JSON.stringify(got) === JSON.stringify(expected)) tally.reasons++;
    const reason = got.kind === 'deny' ? got.reason : got.kind === 'approve' ? (got.comment ?? '') : '';
    if (HISTORY_ONLY.some((pattern) => pattern.test(reason))) tally.leaks++;
    expect(got).toEqual(expected);
  });
});

describe('the bundled parser', () => {
  it('holds none of iconv-lite, encoding-japanese or he, and one libmime build', () => {
    const inputs = (shipped as ShippedMime).inputs;
    expect(
      inputs.filter((input) => /node_modules\/(?:iconv-lite|encoding-japanese|he)\//.test(input)),
    ).toEqual([]);
    expect(inputs.filter((input) => input.includes('node_modules/libmime/dist/esm/'))).toEqual([]);
    expect(inputs).toContain('lambdas/adapters/mail-inbound/shims/iconv-lite.ts');
  });

  it.each(files)('reads %s exactly as the sources do', async (file) => {
    const raw = readFileSync(join(DIR, file));
    expect(await (shipped as ShippedMime).parseMail(raw)).toEqual(await parseMail(raw));
  });
});
