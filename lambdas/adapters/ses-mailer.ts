// Mailer port on Amazon SES v2. Locally the same code talks to the dev mailbox through AWS_ENDPOINT_URL_SESV2.
import { type SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import type { EmailMessage, Mailer } from '../core/ports.ts';

export class SesMailer implements Mailer {
  readonly #client: SESv2Client;
  readonly #from: string;
  readonly #configurationSet: string | undefined;

  constructor(client: SESv2Client, from: string, configurationSet?: string) {
    this.#client = client;
    this.#from = from;
    this.#configurationSet = configurationSet;
  }

  async send(message: EmailMessage): Promise<{ messageId: string }> {
    const result = await this.#client.send(
      new SendEmailCommand({
        FromEmailAddress: this.#from,
        Destination: { ToAddresses: [message.to] },
        ReplyToAddresses: message.replyTo ? [message.replyTo] : undefined,
        ConfigurationSetName: this.#configurationSet,
        Content: {
          Simple: {
            Subject: { Data: message.subject, Charset: 'UTF-8' },
            Body: {
              Text: { Data: message.text, Charset: 'UTF-8' },
              Html: { Data: message.html, Charset: 'UTF-8' },
            },
          },
        },
      }),
    );
    return { messageId: result.MessageId ?? '' };
  }
}
