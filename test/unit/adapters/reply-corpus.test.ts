// The reply corpus (test/fixtures/replies): raw replies as Gmail, Apple Mail, Thunderbird and Outlook write them,
// in English, French, German, Spanish, Dutch and Russian, as UTF-8, quoted-printable, base64, legacy charsets
// and HTML only. Each must give exactly the expected decision and reason, and no name or address from the
// quoted history may reach a reason.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseMail } from '../../../lambdas/adapters/mail-inbound/mime.ts';
import { parseReplyCommand, type ReplyCommand } from '../../../lambdas/core/reply-parsing.ts';

const DIR = join(import.meta.dirname, '../../fixtures/replies');
type Expected = (ReplyCommand | { kind: 'unreadable' }) & { note?: string };
const expectations = JSON.parse(readFileSync(join(DIR, 'expectations.json'), 'utf8')) as Record<
  string,
  Expected
>;
const files = readdirSync(DIR).filter((file) => file.endsWith('.eml'));
/** Only the quoted history names these: any of them in a reason is a leak into the audit trail. */
const HISTORY_ONLY = [/keyholder/i, /kim/i, /vendor/i, /ben director/i, /dir-ben/i, /@/, /approval needed/i];

const tally = { total: 0, decisions: 0, reasons: 0, leaks: 0 };
afterAll(() => {
  console.log(
    `reply corpus: ${tally.total} replies, decisions right ${tally.decisions}/${tally.total}, reasons exact ${tally.reasons}/${tally.total}, leaks ${tally.leaks}`,
  );
});

async function readFixture(file: string): Promise<ReplyCommand | { kind: 'unreadable' }> {
  const mail = await parseMail(readFileSync(join(DIR, file)));
  return mail.unreadable ? { kind: 'unreadable' } : parseReplyCommand(mail.text);
}

describe('reply corpus', () => {
  it('has at least 200 replies, each with an expectation', () => {
    expect(files.length).toBeGreaterThanOrEqual(200);
    expect(Object.keys(expectations).sort()).toEqual([...files].sort());
  });

  it.each(files)('%s', async (file) => {
    const { note: _note, ...expected } = expectations[file] as Expected;
    const got = await readFixture(file);
    tally.total++;
    if (got.kind === expected.kind) tally.decisions++;
    if (JSON.stringify(got) === JSON.stringify(expected)) tally.reasons++;
    const reason = got.kind === 'deny' ? got.reason : got.kind === 'approve' ? (got.comment ?? '') : '';
    if (HISTORY_ONLY.some((pattern) => pattern.test(reason))) tally.leaks++;
    expect(got).toEqual(expected);
  });
});
