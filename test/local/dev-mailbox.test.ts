// The dev mailbox, fed by the real SES v2 client exactly as the production email adapter sends.
import { BadRequestException, SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type DevMailbox, startDevMailbox } from '../../local/dev-mailbox.ts';

describe('dev mailbox', () => {
  let mailbox: DevMailbox;
  let ses: SESv2Client;

  beforeEach(async () => {
    mailbox = await startDevMailbox();
    ses = new SESv2Client({
      endpoint: mailbox.endpoint,
      region: 'eu-west-2',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
  });

  afterEach(async () => {
    ses.destroy();
    await mailbox.stop();
  });

  it('keeps a sent message with its parts and answers with its id', async () => {
    // Act
    const sent = await ses.send(
      new SendEmailCommand({
        FromEmailAddress: 'keyholder@example.org',
        Destination: { ToAddresses: ['dana.director@example.org'], CcAddresses: ['audit@example.org'] },
        ReplyToAddresses: ['access-desk@example.org'],
        ConfigurationSetName: 'keyholder',
        Content: {
          Simple: {
            Subject: { Data: 'Approval needed: req-1' },
            Body: {
              Text: { Data: 'Open /approve/abc' },
              Html: { Data: '<a href="/approve/abc">Review</a>' },
            },
          },
        },
      }),
    );

    // Assess
    expect(sent.MessageId).toEqual(expect.any(String));
    expect(mailbox.messages()).toEqual([
      {
        id: sent.MessageId,
        from: 'keyholder@example.org',
        to: 'dana.director@example.org',
        recipients: ['dana.director@example.org', 'audit@example.org'],
        replyTo: 'access-desk@example.org',
        subject: 'Approval needed: req-1',
        text: 'Open /approve/abc',
        html: '<a href="/approve/abc">Review</a>',
        configurationSetName: 'keyholder',
        sentAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/),
      },
    ]);
  });

  it('resolves waitFor with a message that arrives later', async () => {
    // Prepare
    const waiting = mailbox.waitFor((message) => message.to === 'late@example.org');

    // Act
    for (const to of ['early@example.org', 'late@example.org']) {
      await ses.send(
        new SendEmailCommand({
          FromEmailAddress: 'keyholder@example.org',
          Destination: { ToAddresses: [to] },
          Content: { Simple: { Subject: { Data: `hello ${to}` }, Body: { Text: { Data: 'hi' } } } },
        }),
      );
    }

    // Assess
    await expect(waiting).resolves.toMatchObject({ subject: 'hello late@example.org', html: '' });
    expect(mailbox.messages()).toHaveLength(2);
  });

  it('refuses a message without recipients as SES does, and keeps nothing', async () => {
    // Act
    const sending = ses.send(
      new SendEmailCommand({
        FromEmailAddress: 'keyholder@example.org',
        Destination: { ToAddresses: [] },
        Content: { Simple: { Subject: { Data: 's' }, Body: { Text: { Data: 'b' } } } },
      }),
    );

    // Assess
    await expect(sending).rejects.toBeInstanceOf(BadRequestException);
    expect(mailbox.messages()).toEqual([]);
  });

  it('rejects waitFor when no message matches in time', async () => {
    // Act
    const waiting = mailbox.waitFor(() => false, 100);

    // Assess
    await expect(waiting).rejects.toThrow(/no matching message among 0 received/);
  });
});
