// The SES adapter: the SendEmail request it builds from an EmailMessage.
import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { SesMailer } from '../../../lambdas/adapters/ses-mailer.ts';

describe('SesMailer', () => {
  const ses = mockClient(SESv2Client);
  afterEach(() => ses.reset());

  it('sends text and HTML bodies from the configured sender and configuration set', async () => {
    ses.on(SendEmailCommand).resolves({ MessageId: 'm-1' });
    const mailer = new SesMailer(
      new SESv2Client({ region: 'eu-west-2' }),
      'keyholder@nhse.example',
      'keyholder',
    );
    const result = await mailer.send({
      to: 'dir-ada@nhse.example',
      subject: 'S',
      text: 'T',
      html: '<p>H</p>',
      replyTo: 'r@x',
    });
    expect(result).toEqual({ messageId: 'm-1' });
    expect(ses.commandCalls(SendEmailCommand)[0]?.args[0].input).toEqual({
      FromEmailAddress: 'keyholder@nhse.example',
      Destination: { ToAddresses: ['dir-ada@nhse.example'] },
      ReplyToAddresses: ['r@x'],
      ConfigurationSetName: 'keyholder',
      Content: {
        Simple: {
          Subject: { Data: 'S', Charset: 'UTF-8' },
          Body: { Text: { Data: 'T', Charset: 'UTF-8' }, Html: { Data: '<p>H</p>', Charset: 'UTF-8' } },
        },
      },
    });
  });

  it('lets a send failure surface so the caller can audit and retry it', async () => {
    ses.on(SendEmailCommand).rejects(new Error('Throttling'));
    const mailer = new SesMailer(new SESv2Client({ region: 'eu-west-2' }), 'keyholder@nhse.example');
    await expect(mailer.send({ to: 'a@b', subject: 'S', text: 'T', html: 'H' })).rejects.toThrow(
      'Throttling',
    );
  });
});
