// Email replies: the command on the first own line, the reply address and its token, and sender verdicts.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  failedVerdicts,
  isAutomatedMail,
  isDirectoryAddress,
  parseReplyCommand,
  replyAddress,
  replyTokenFromSecret,
  replyTokenOf,
} from '../../../lambdas/core/reply-parsing.ts';

describe('parseReplyCommand', () => {
  it.each([
    ['approve', { kind: 'approve' }],
    ['Approve.', { kind: 'approve' }],
    ['APPROVED', { kind: 'approve' }],
    ['approve - fine for the incident window', { kind: 'approve', comment: 'fine for the incident window' }],
    ['deny Use the pseudonymised extract', { kind: 'deny', reason: 'Use the pseudonymised extract' }],
    ['Deny: not this quarter', { kind: 'deny', reason: 'not this quarter' }],
  ])('reads %j', (text, expected) => {
    expect(parseReplyCommand(text)).toEqual(expected);
  });

  it('skips blank lines, quoted history and the attribution line (bottom-posting)', () => {
    const text = [
      '',
      'On Mon, 30 Nov 2026 at 09:12, Keyholder <',
      'keyholder@nhse.example> wrote:',
      '> Approval needed: Kim requests admin',
      '> deny whatever',
      '',
      'approve',
    ].join('\r\n');
    expect(parseReplyCommand(text)).toEqual({ kind: 'approve' });
  });

  it('takes a deny reason over the rest of its paragraph, stopping at signatures and history', () => {
    const text = [
      'deny',
      'The ticket is closed',
      'and the data is in the extract.',
      '--',
      'Ben Director',
      '> approve',
    ].join('\n');
    expect(parseReplyCommand(text)).toEqual({
      kind: 'deny',
      reason: 'The ticket is closed and the data is in the extract.',
    });
  });

  it('stops a reason at an Outlook header block', () => {
    const text = 'deny not needed\nFrom: Keyholder <keyholder@nhse.example>\nSent: Monday';
    expect(parseReplyCommand(text)).toEqual({ kind: 'deny', reason: 'not needed' });
  });

  it('refuses a bare deny, a word that only starts like a command, and text with no command', () => {
    expect(parseReplyCommand('deny\n\n> the reason is only quoted')).toEqual({ kind: 'deny-without-reason' });
    expect(parseReplyCommand('approvers should look at this')).toEqual({
      kind: 'none',
      firstLine: 'approvers should look at this',
    });
    expect(parseReplyCommand('Thanks, will look later\napprove')).toMatchObject({ kind: 'none' });
    expect(parseReplyCommand('> approve\n> deny x')).toEqual({ kind: 'none' });
    expect(parseReplyCommand('-- \nsignature only')).toEqual({ kind: 'none' });
  });

  it('reads through the non-breaking and zero-width spaces HTML mail leaves behind', () => {
    expect(parseReplyCommand('\u200bdeny\u00a0Use the extract')).toEqual({
      kind: 'deny',
      reason: 'Use the extract',
    });
  });
});

describe('parseReplyCommand on replies as mail clients write them', () => {
  it.each([
    ["approved? I don't know this person"],
    ['Approve? not sure'],
    ['approve deny'],
    ['deny approve'],
    ['approve\n\ndeny, on second thoughts'],
    ['deny the scope is wide\napprove it if Kim narrows it'],
  ])('decides nothing on the ambiguous %j', (text) => {
    expect(parseReplyCommand(text)).toEqual({ kind: 'ambiguous' });
  });

  it.each([
    ['Le lun. 30 nov. 2026 à 09:12, Keyholder <keyholder@nhse.example> a écrit :'],
    ['Le lun. 30 nov. 2026 à 09:12, Keyholder', '<keyholder@nhse.example> a écrit :'],
    ['Am Mo., 30. Nov. 2026 um 09:12 Uhr schrieb Kim Vendor <kim.vendor@vendor.example>:'],
    ['El lun, 30 nov 2026 a las 09:12, Keyholder (<keyholder@nhse.example>) escribió:'],
    ['Op ma 30 nov. 2026 om 09:12 schreef Keyholder <keyholder@nhse.example>:'],
    ['De : Kim Vendor <kim.vendor@vendor.example>', 'Envoyé : lundi 30 novembre 2026 09:12'],
    ['Von: Kim Vendor <kim.vendor@vendor.example>', 'Gesendet: Montag'],
    ['-----Original Message-----', 'From: Kim Vendor'],
    ['________________________________', 'From: Kim Vendor'],
    ['Sent from my iPhone'],
    ['Envoyé de mon iPhone'],
    ['Von meinem iPhone gesendet'],
    ['Get Outlook for Android'],
  ])('ends a deny reason at %j even with no blank line before it', (...history) => {
    const text = ['deny not needed', ...history, '> approve', 'Kim Vendor kim.vendor@vendor.example'].join(
      '\n',
    );
    expect(parseReplyCommand(text)).toEqual({ kind: 'deny', reason: 'not needed' });
  });

  it('reads unquoted text after an attribution as history, never as a command', () => {
    const text = 'On Mon, 30 Nov 2026 at 09:12, Kim Vendor <kim.vendor@vendor.example> wrote:\nAPPROVE';
    expect(parseReplyCommand(text)).toEqual({ kind: 'none' });
    expect(parseReplyCommand(`\n\n${text}`)).toEqual({ kind: 'none' });
  });

  it('does not mistake own sentences starting like attributions for history', () => {
    expect(parseReplyCommand('deny On reflection the scope is wide\nOn balance, ask next week')).toEqual({
      kind: 'deny',
      reason: 'On reflection the scope is wide On balance, ask next week',
    });
  });
});

describe('reply addresses', () => {
  it('turns a 256-bit secret into a 52-character lowercase token that fits a local part', () => {
    const token = replyTokenFromSecret(randomBytes(32).toString('base64url'));
    expect(token).toMatch(/^[a-z2-7]{52}$/);
    const address = replyAddress(token, 'replies.example.org');
    expect(address.split('@')[0]?.length).toBeLessThanOrEqual(64);
  });

  it('finds the token of an address at our domain, whatever the case, and nothing elsewhere', () => {
    const token = replyTokenFromSecret(Buffer.alloc(32, 7).toString('base64url'));
    expect(
      replyTokenOf(replyAddress(token, 'replies.example.org').toUpperCase(), 'replies.example.org'),
    ).toBe(token);
    expect(replyTokenOf(replyAddress(token, 'evil.example.org'), 'replies.example.org')).toBeUndefined();
    expect(replyTokenOf(`someone+${token}@replies.example.org`, 'replies.example.org')).toBeUndefined();
    expect(replyTokenOf('approvals+short@replies.example.org', 'replies.example.org')).toBeUndefined();
  });
});

describe('failedVerdicts and isAutomatedMail', () => {
  it('accepts only PASS for SPF, DKIM and DMARC', () => {
    expect(failedVerdicts({ spf: 'PASS', dkim: 'pass', dmarc: 'PASS' })).toEqual([]);
    expect(failedVerdicts({ spf: 'FAIL', dkim: 'GRAY', dmarc: 'PROCESSING_FAILED' })).toEqual([
      'SPF FAIL',
      'DKIM GRAY',
      'DMARC PROCESSING_FAILED',
    ]);
  });

  it('recognises auto-replies, bulk mail and bounces', () => {
    expect(isAutomatedMail({ autoSubmitted: 'auto-replied' })).toBe(true);
    expect(isAutomatedMail({ autoSubmitted: 'no' })).toBe(false);
    expect(isAutomatedMail({ precedence: 'bulk' })).toBe(true);
    expect(isAutomatedMail({ from: 'MAILER-DAEMON@example.org' })).toBe(true);
    expect(isAutomatedMail({ from: 'dir-ada@nhse.example' })).toBe(false);
  });
});

describe('isDirectoryAddress', () => {
  const principals = [{ email: 'dir-ada@nhse.example' }, { email: 'Ext-Kim@Northwind.example' }];

  it('knows a principal by their directory address, whatever its case', () => {
    expect(isDirectoryAddress(principals, 'dir-ada@nhse.example')).toBe(true);
    expect(isDirectoryAddress(principals, 'ext-kim@northwind.example')).toBe(true);
  });

  it('does not know a stranger, a look-alike, or no address at all', () => {
    expect(isDirectoryAddress(principals, 'attacker@evil.example')).toBe(false);
    expect(isDirectoryAddress(principals, 'dir-ada@nhse.example.evil.example')).toBe(false);
    expect(isDirectoryAddress(principals, '')).toBe(false);
    expect(isDirectoryAddress(principals, undefined)).toBe(false);
    expect(isDirectoryAddress([], 'dir-ada@nhse.example')).toBe(false);
  });
});
