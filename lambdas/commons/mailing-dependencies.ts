// The composition root of a function that sends mail of its own but posts nothing to Slack (`mail:send` without
// `slack:post`): the queueing root (the notices its changes owe still go to the queue) with the SES mailer and the
// reply-to-decide domain. inbound-reply answers a reply's sender with it; ./notifying-dependencies.ts adds Slack.
import { SesMailer } from '../adapters/ses-mailer.ts';
import { builtOnCore, extendWiring } from './core-dependencies.ts';
import { readNotificationConfig } from './notification-config.ts';
import { type QueueingDependencies, queueingDependencies } from './queueing-dependencies.ts';
import { sesClient } from './ses-client.ts';

export type MailingDependencies = QueueingDependencies;

export const mailingDependencies: () => MailingDependencies = builtOnCore(({ config }) =>
  extendWiring(queueingDependencies(), {
    mailer: new SesMailer(sesClient(), config.mailFrom, config.sesConfigurationSet),
    replyDomain: readNotificationConfig().replyDomain,
  }),
);
