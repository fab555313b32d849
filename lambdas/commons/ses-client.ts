// The SES (outbound mail) client, once per process (see ./clients.ts).
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { perProcess } from './clients.ts';

export const sesClient: () => SESv2Client = perProcess('SESV2', () => new SESv2Client({}));
